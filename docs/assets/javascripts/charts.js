/* Draws the charts of a page: every .vega-chart[data-spec] gets its Vega-Lite spec rendered as SVG.
 * The chart library (vega.min.js, served by this site) is loaded only on pages that have charts,
 * after the page itself, and cached by the browser like any other file. */
(function () {
  "use strict";
  var script = document.currentScript;
  var bundleUrl = new URL("vega.min.js", script ? script.src : location.href).href;
  var loading = null;

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

  function draw(el, vegaEmbed) {
    var spec = JSON.parse(el.getAttribute("data-spec"));
    return vegaEmbed(el, spec, {
      renderer: "svg",
      actions: false,
      formatLocale: formatLocale,
      timeFormatLocale: timeFormatLocale
    }).then(function () {
      el.setAttribute("data-rendered", "true");
      el.classList.add("is-rendered");
    });
  }

  function drawAll() {
    var charts = Array.prototype.slice.call(document.querySelectorAll(".vega-chart[data-spec]:not([data-rendered])"));
    if (!charts.length) return;
    loadLibrary().then(function (vegaEmbed) {
      return Promise.all(charts.map(function (el) { return draw(el, vegaEmbed); }));
    }).catch(function (err) {
      charts.forEach(function (el) { el.setAttribute("data-rendered", "failed"); });
      console.warn(err);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
