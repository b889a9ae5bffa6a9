/* Reader preferences, remembered on this device: a larger-text mode for older readers (适老化)
 * that enlarges the charts too, and a high-contrast mode. Without JavaScript, the browser's own
 * zoom and the system's contrast settings do the same. Also: tables that scroll sideways can be
 * reached and scrolled with the keyboard. */
(function () {
  "use strict";
  var root = document.documentElement;
  // The theme's search dialog has no name of its own (axe: aria-dialog-name).
  var dialog = document.querySelector(".md-search[role='dialog']");
  if (dialog && !dialog.getAttribute("aria-label")) dialog.setAttribute("aria-label", "站内搜索");

  // In large-text mode every chart shows its layout for phones, scaled to the column: its text
  // grows with it (the images' text is drawn at a fixed size). The <picture> chooses that layout
  // by a media query, so the query is widened while the mode is on.
  function chartLayouts() {
    var large = root.classList.contains("large-text");
    document.querySelectorAll(".chart-frame picture source[media]").forEach(function (source) {
      if (!source.hasAttribute("data-media")) source.setAttribute("data-media", source.media);
      source.media = large ? "all" : source.getAttribute("data-media");
    });
  }

  // A toggle in the header: its class, its words (the same on and off: aria-pressed and its
  // look say which), its title for off and on, the class it sets on <html>, and the remembered
  // value for on and for off.
  function toggle(options) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "md-header__button reader-toggle " + options.className;
    button.textContent = options.text;
    function label() {
      var on = root.classList.contains(options.rootClass);
      button.setAttribute("aria-pressed", on ? "true" : "false");
      button.title = on ? options.onTitle : options.offTitle;
    }
    button.addEventListener("click", function () {
      var on = root.classList.toggle(options.rootClass);
      try { localStorage.setItem(options.key, on ? options.onValue : options.offValue); } catch (e) { /* private mode */ }
      label();
      if (options.changed) options.changed();
    });
    label();
    return button;
  }

  var header = document.querySelector(".md-header__inner");
  if (header) {
    var group = document.createElement("div");
    group.className = "reader-toggles";
    group.appendChild(toggle({
      className: "text-size-toggle", rootClass: "large-text", key: "text-size", onValue: "large", offValue: "normal",
      text: "大字", offTitle: "放大页面文字和图表（适合老年读者）", onTitle: "恢复标准字号",
      changed: chartLayouts
    }));
    group.appendChild(toggle({
      className: "contrast-toggle", rootClass: "high-contrast", key: "contrast", onValue: "high", offValue: "normal",
      text: "高对比", offTitle: "黑白高对比度显示", onTitle: "恢复标准配色"
    }));
    header.insertBefore(group, header.querySelector("label[for='__search']") || null);
  }
  chartLayouts();

  // Tables that scroll sideways: focusable (so the arrow keys scroll them), and named after
  // their caption or the heading above them. The theme wraps Markdown tables in a scroll box
  // once the page is set up (its document$ observable; at load without it).
  function scrollingTables() {
    document.querySelectorAll(".md-typeset__scrollwrap, .table-wrap").forEach(label);
  }
  function label(box) {
    if (box.hasAttribute("tabindex")) return;
    var table = box.querySelector("table");
    var caption = table && table.querySelector("caption");
    var heading = null;
    for (var el = box; el && !heading; el = el.parentElement) {
      for (var prev = el.previousElementSibling; prev && !heading; prev = prev.previousElementSibling) {
        if (/^H[1-6]$/.test(prev.tagName)) heading = prev;
      }
    }
    box.setAttribute("tabindex", "0");
    box.setAttribute("role", "region");
    box.setAttribute("aria-label", (caption || heading || { textContent: "表格" }).textContent.trim() + "（表格，可左右滚动）");
  }
  if (window.document$) {
    window.document$.subscribe(scrollingTables);
  } else {
    window.addEventListener("DOMContentLoaded", scrollingTables);
  }
})();
