/* Reader preferences: a larger-text mode for older readers (适老化), remembered on this device.
 * Without JavaScript, the browser's own zoom does the same. */
(function () {
  "use strict";
  var root = document.documentElement;
  // The theme's search dialog has no name of its own (axe: aria-dialog-name).
  var dialog = document.querySelector(".md-search[role='dialog']");
  if (dialog && !dialog.getAttribute("aria-label")) dialog.setAttribute("aria-label", "站内搜索");

  var header = document.querySelector(".md-header__inner");
  if (!header) return;
  var button = document.createElement("button");
  button.type = "button";
  button.className = "md-header__button text-size-toggle";
  function label() {
    var large = root.classList.contains("large-text");
    button.textContent = large ? "标准字号" : "大字";
    button.setAttribute("aria-pressed", large ? "true" : "false");
    button.title = large ? "恢复标准字号" : "放大页面文字（适合老年读者）";
  }
  button.addEventListener("click", function () {
    var large = root.classList.toggle("large-text");
    try { localStorage.setItem("text-size", large ? "large" : "normal"); } catch (e) { /* private mode */ }
    label();
  });
  label();
  var search = header.querySelector("label[for='__search']");
  header.insertBefore(button, search || null);
})();
