/* Charts and copy buttons.
 *
 * Every chart is first an image drawn at build time: it carries all the figures, works without
 * JavaScript, prints, and is read by screen readers through its alt text. The interactive chart
 * (tooltips) is only an addition: the chart library (vega.min.js, 300 KB compressed, served by
 * this site and cached) and the chart's spec (chart.json beside its images) are loaded when a
 * reader first points at or touches a chart, so a first visit on a phone downloads none of it.
 * The interactive chart is drawn exactly over its image, so nothing on the page moves. */
(function () {
  "use strict";
  var script = document.currentScript;
  var bundleUrl = new URL("vega.min.js", script ? script.src : location.href).href;
  var loading = null;
  var NARROW_SCREEN = "(max-width: 36em)";  // as the <picture> of each chart's static image
  var FIT_PASSES = 4;  // layouts at most, until a chart's width settles (fit, below)
  var drawn = [];  // the charts drawn on this page: {el, view, phone (drawn in the layout for phones)}

  // zh-CN number and date formats (d3-format / d3-time-format locales).
  var formatLocale = { decimal: ".", thousands: ",", grouping: [3], currency: ["¥", ""] };
  var timeFormatLocale = {
    dateTime: "%x %A %X", date: "%Y年%-m月%-d日", time: "%H:%M:%S", periods: ["上午", "下午"],
    days: ["星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"],
    shortDays: ["周日", "周一", "周二", "周三", "周四", "周五", "周六"],
    months: ["一月", "二月", "三月", "四月", "五月", "六月", "七月", "八月", "九月", "十月", "十一月", "十二月"],
    shortMonths: ["一月", "二月", "三月", "四月", "五月", "六月", "七月", "八月", "九月", "十月", "十一月", "十二月"]
  };

  function loadLibrary() {
    if (window.vegaEmbed) return Promise.resolve(window.vegaEmbed);
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        var tag = document.createElement("script");
        tag.src = bundleUrl;
        tag.async = true;
        tag.onload = function () { resolve(window.vegaEmbed); };
        tag.onerror = function () { reject(new Error("图表程序加载失败：" + bundleUrl)); };
        document.head.appendChild(tag);
      });
    }
    return loading;
  }

  function draw(el) {
    if (el.getAttribute("data-rendered")) return Promise.resolve();
    el.setAttribute("data-rendered", "loading");
    // On a phone (where the page shows the figure for phones) a chart may have its own layout.
    var narrow = el.getAttribute("data-spec-narrow-src");
    var phone = narrow && window.matchMedia(NARROW_SCREEN).matches;
    var specUrl = new URL(phone ? narrow : el.getAttribute("data-spec-src"), location.href).href;
    var specLoaded = fetch(specUrl).then(function (response) {
      if (!response.ok) throw new Error("图表数据加载失败：" + specUrl);
      return response.json();
    });
    return Promise.all([loadLibrary(), specLoaded]).then(function (loaded) {
      var vegaEmbed = loaded[0];
      var spec = loaded[1];
      var frame = el.closest(".chart-frame");
      if (frame && frame.getBoundingClientRect().height > 0) {
        // Fill the image's box: same width and height, so the page does not shift.
        spec.height = "container";
        spec.autosize = { type: "fit", contains: "padding" };
      }
      return vegaEmbed(el, spec, {
        renderer: "svg",
        actions: false,
        formatLocale: formatLocale,
        timeFormatLocale: timeFormatLocale
      });
    }).then(function (result) {
      drawn.push({ el: el, view: result.view, phone: Boolean(phone) });
      return fit(result.view, FIT_PASSES);
    }).then(function () {
      el.setAttribute("data-rendered", "true");
      var frame = el.closest(".chart-frame");
      if (frame) frame.classList.add("is-interactive");  // the static image steps aside
    }).catch(function (err) {
      el.setAttribute("data-rendered", "failed");  // the static image stays
      console.warn(err);
    });
  }

  // Vega fits a chart to its box in one layout, but the labels beside the bars move with the bars:
  // on a narrow screen the longest could still end past the edge (cut by up to 15 px on a phone).
  // Laid out again until its width no longer changes, the chart fits with all its labels (the
  // build's images are fitted the same way: autosize resize, pipeline/exports.py).
  function fit(view, passes) {
    var width = view.width();
    return view.resize().runAsync().then(function () {
      return passes > 1 && view.width() !== width ? fit(view, passes - 1) : view;
    });
  }

  // A turned phone or a resized window: Vega follows the new width (in one layout), then each
  // chart is fitted again; a chart with a layout for phones is drawn again in the layout that
  // the screen now calls for (as its image switches).
  var resizing = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizing);
    resizing = setTimeout(function () {
      var phone = window.matchMedia(NARROW_SCREEN).matches;
      drawn.slice().forEach(function (chart) {
        if (chart.el.getAttribute("data-spec-narrow-src") && chart.phone !== phone) {
          drawn.splice(drawn.indexOf(chart), 1);
          chart.view.finalize();
          chart.el.removeAttribute("data-rendered");
          draw(chart.el);
        } else {
          fit(chart.view, FIT_PASSES);
        }
      });
    }, 200);
  });

  function start() {
    var charts = Array.prototype.slice.call(document.querySelectorAll(".vega-chart[data-spec-src]"));
    charts.forEach(function (el) {
      var frame = el.closest(".chart-frame") || el;
      // In large-text mode (reader.js) the image, scaled up, is the chart: its text grows with it.
      var go = function () { if (!document.documentElement.classList.contains("large-text")) draw(el); };
      ["pointerenter", "touchstart"].forEach(function (type) {
        frame.addEventListener(type, go, { passive: true });
      });
    });
  }

  // Copy buttons (citations, embed code): copy the text of the element named in data-copy.
  function copyButtons() {
    document.querySelectorAll("button[data-copy]").forEach(function (button) {
      button.addEventListener("click", function () {
        var source = document.getElementById(button.getAttribute("data-copy"));
        var text = source ? source.textContent : "";
        var done = function () {
          var label = button.textContent;
          button.textContent = "已复制";
          setTimeout(function () { button.textContent = label; }, 2000);
        };
        // Older browsers, plain http and a refused permission copy through a selected text area.
        var copyBySelection = function () {
          var area = document.createElement("textarea");
          area.value = text;
          document.body.appendChild(area);
          area.select();
          var copied = document.execCommand("copy");
          document.body.removeChild(area);
          if (copied) { done(); }
        };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(text).then(done, copyBySelection);
        } else {
          copyBySelection();
        }
      });
    });
    // A GB/T 7714 reference names the day it was cited: fill in today's date.
    var today = new Date();
    var stamp = today.getFullYear() + "-" + String(today.getMonth() + 1).padStart(2, "0") + "-" +
      String(today.getDate()).padStart(2, "0");
    document.querySelectorAll("code").forEach(function (code) {
      if (code.textContent.indexOf("[引用日期]") >= 0) {
        code.textContent = code.textContent.replace("[引用日期]", "[" + stamp + "]");
      }
    });
    var note = document.getElementById("cite-date-note");
    if (note) note.textContent = "方括号中的 " + stamp + " 是引用日期，即您查看本页的日期（今天）。";
  }

  // Exposed for printing and tests: draw every chart now.
  window.drawAllCharts = function () {
    return Promise.all(Array.prototype.slice.call(document.querySelectorAll(".vega-chart[data-spec-src]")).map(draw));
  };

  function ready() { start(); copyButtons(); }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
