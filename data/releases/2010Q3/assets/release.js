/* A dated release's chart page (kept in the release: it never changes once closed). Copy buttons
 * copy the text of the element named in data-copy; the GB/T 7714 reference gets the reader's own
 * date as its 引用日期 (the day the citer saw the page), and the note under it says so. */
(function () {
  "use strict";
  var now = new Date();
  var today = now.getFullYear() + "-" + String(now.getMonth() + 1).padStart(2, "0") + "-" +
    String(now.getDate()).padStart(2, "0");
  document.querySelectorAll("code[data-cite-date]").forEach(function (code) {
    code.textContent = code.textContent.replace("[引用日期]", "[" + today + "]");
    var note = document.getElementById(code.getAttribute("data-cite-date"));
    if (note) note.textContent = "方括号中的 " + today + " 是引用日期，即您查看本页的日期（今天）。";
  });
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var source = document.getElementById(button.getAttribute("data-copy"));
      var text = source ? source.textContent : "";
      var label = button.textContent;
      var done = function () {
        button.textContent = "已复制";
        setTimeout(function () { button.textContent = label; }, 2000);
      };
      var bySelection = function () {
        var area = document.createElement("textarea");
        area.value = text;
        document.body.appendChild(area);
        area.select();
        if (document.execCommand("copy")) done();
        document.body.removeChild(area);
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done, bySelection);
      } else {
        bySelection();
      }
    });
  });
})();
