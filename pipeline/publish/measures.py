"""The pages of the plan's measures and working mechanism (pure: {path under docs/: Markdown}):
an overview (named as config/commitments.yml parts), a page per heading of 三 and one for 四, where every commitment has its
own anchor (its id), and a page per department with the facts of the annual assessment."""

from __future__ import annotations

from pipeline.analyse.commitments import Commitments
from pipeline.analyse.departments import forms
from pipeline.basics.periods import Period, month_number, periods_of_months, periods_zh
from pipeline.basics.problems import problems_frame
from pipeline.ingest.status_history import status_changes
from pipeline.publish.render import chart_view, render
from pipeline.publish.render import common as site_common
from pipeline.publish.site import relative


def _common(site, page: str) -> dict:
    facts = site.commitments.facts
    registry = facts.registry
    latest = facts.latest
    link = site_common(site, page)["link"]
    counts = facts.counts()
    return {
        **site_common(site, page), "registry": registry, "facts": facts, "scale": registry.statuses,
        "shown": [s for s in registry.statuses if counts[s] or s != registry.not_reported],
        "latest_text": Period.from_label(latest).label_zh if latest else "（尚无进展表）",
        # quarters due whose form never came: after the latest form, the figures stop there (not a state of the measures)
        "missing_after": _quarters_zh([q for q in facts.missing_quarters if not latest or q > Period.from_label(latest)]),
        "done": registry.done, "total_commitments": len(registry.commitments), "measure_counts": counts,
        "chart": lambda chart_id: chart_view(site, site.chart(chart_id), page) if site.chart(chart_id) else None,
        "kind_word": registry.kind_word,
        "page_link": lambda c: link(f"measures/{facts.page_of(c)}/") + f"#{c.id}",
        "department_link": lambda c: link(f"departments/{registry.department_page(c)}/") if registry.department_page(c) else None,
    }


def _quarters_zh(quarters: list[Period]) -> str:
    """Quarters in words, a whole year as the year: 2023年, 2022年第四季度."""
    months = {month_number(q.start) + i for q in quarters for i in range(3)}
    return periods_zh(periods_of_months(months, 3))


def _commitment_view(facts: Commitments, commitment) -> dict:
    before, quote, after = facts.registry.sentence(commitment.quote)
    return {"c": commitment, "latest": facts.latest_row(commitment.id), "history": facts.history(commitment.id),
            "record": facts.occurrence_record(commitment), "before": before, "quote": quote, "after": after}


def overview_page(site) -> str:
    page = "measures/index.md"
    facts = site.commitments.facts
    registry = facts.registry
    quarters = facts.data.quarters
    changes = status_changes(facts.data.status, quarters[-2], quarters[-1]) if len(quarters) > 1 else None
    changed = [{"c": registry.by_id[r.commitment_id], "before": r.status_before, "after": r.status_after,
                "latest": facts.latest_row(r.commitment_id)} for r in changes.itertuples()] if changes is not None else []
    groups = [{"page": p, "title": registry.page_title(p), "commitments": registry.in_page(p),
               "counts": facts.counts(registry.in_page(p)), "rows": {c.id: facts.latest_row(c.id) for c in registry.in_page(p)}}
              for p in registry.pages]
    quarterly = [_commitment_view(facts, c) for c in registry.commitments
                 if c.frequency and registry.frequencies[c.frequency].expected == "each_quarter"]
    return render(site.config, "measures.md.j2",
        **_common(site, page), groups=groups, changed=changed, quarterly=quarterly,
        previous_text=Period.from_label(quarters[-2]).label_zh if len(quarters) > 1 else None,
        og_image="charts/measures-status/measures-status.png")


def section_page(site, page_id: str) -> str:
    page = f"measures/{page_id}.md"
    facts = site.commitments.facts
    registry = facts.registry
    sections = [{"key": key, "title": registry.section_title(key),
                 "views": [_commitment_view(facts, c) for c in registry.commitments if c.section == key]}
                for key in registry.pages[page_id]]
    return render(site.config, "measures_page.md.j2",
        **_common(site, page), page_id=page_id, title=registry.page_title(page_id), sections=sections,
        part=registry.sections[registry.pages[page_id][0]].part, page_counts=facts.counts(registry.in_page(page_id)),
        page_total=len(registry.in_page(page_id)))


def departments_page(site) -> str:
    page = "departments/index.md"
    return render(site.config, "departments.md.j2",
        **_common(site, page), departments=site.commitments.departments)


def department_page(site, view: dict) -> str:
    page = f"departments/{view['id']}.md"
    ds = site.dataset
    sources = [s for f in forms(site.config, site.commitments.facts) if f.department == view["department"] for s in f.source_ids]
    corrections = ds.corrections[ds.corrections["source_id"].isin(sources)] if len(ds.corrections) else ds.corrections
    return render(site.config, "department.md.j2",
        **_common(site, page), d=view, corrections=corrections.to_dict("records"),
        warnings=problems_frame(view["warnings"]).to_dict("records"), indicators=site.config.indicators,
        programme_link=lambda t: relative(page, f"programmes/{t['programme_id']}/") + f"#{t['target_id']}")


def commitment_pages(site) -> dict[str, str]:
    """Every page of the measures and of the departments."""
    registry = site.commitments.facts.registry
    pages = {"measures/index.md": overview_page(site), "departments/index.md": departments_page(site)}
    pages.update({f"measures/{p}.md": section_page(site, p) for p in registry.pages})
    pages.update({f"departments/{v['id']}.md": department_page(site, v) for v in site.commitments.departments})
    return pages
