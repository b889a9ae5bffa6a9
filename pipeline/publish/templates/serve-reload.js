// Added by `make serve` (pipeline/serve.py) to each page it sends, never to the built site: asks the
// server every second which site it has; reloads the page when a newer one is in place, says when
// a build is running, and shows a failed build's report over the last good site.
(function () {
  "use strict";
  if (window.__servePolling) return;
  window.__servePolling = true;
  var shown = Number(document.currentScript.getAttribute("data-version"));
  var panel = document.createElement("div");
  panel.id = "serve-state";
  panel.setAttribute("role", "status");
  panel.setAttribute("lang", "zh-CN");
  panel.style.cssText = "position:fixed;z-index:10000;left:0;right:0;bottom:0;max-height:60vh;overflow:auto;" +
    "font:14px/1.6 sans-serif;color:#1f2328;background:#fff8c5;border-top:3px solid #9a6700;padding:.6em 1em;" +
    "white-space:pre-wrap;display:none";
  document.body.appendChild(panel);

  function show(text, error) {
    panel.textContent = text;
    panel.style.display = text ? "block" : "none";
    panel.style.background = error ? "#ffebe9" : "#fff8c5";
    panel.style.borderTopColor = error ? "#cf222e" : "#9a6700";
    panel.setAttribute("role", error ? "alert" : "status");
  }

  function poll() {
    fetch("/__serve__/state", { cache: "no-store" })
      .then(function (response) { return response.json(); })
      .then(function (state) {
        if (state.version !== shown) {
          location.reload();
          return;
        }
        if (state.error) {
          show("网站未更新，下面是生成时发现的问题（页面仍是上一次成功生成的版本；改正文件后会自动重新生成）：\n\n" +
            state.error + (state.building ? "\n\n正在重新生成……" : ""), true);
        } else {
          show(state.building ? "正在重新生成网站……" : "", false);
        }
      })
      .catch(function () { show("预览服务已停止（make serve 不在运行）。", false); })
      .then(function () { setTimeout(poll, 1000); });
  }
  poll();
})();
