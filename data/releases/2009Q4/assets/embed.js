/* An embedded chart tells the page around it how tall it is, whenever that changes (a narrower
 * iframe on a phone, the interactive chart drawn, fonts loaded), so that the snippet on the
 * chart page can fit the iframe to it: no scroll bar, no gap. It sends only its height, under
 * the message name the snippet listens for (data-embed-message on <body>). */
(function () {
  "use strict";
  if (window.parent === window) return;
  var name = document.body.getAttribute("data-embed-message");
  var last = 0;
  function send() {
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height === last) return;
    last = height;
    window.parent.postMessage({ type: name, height: height }, "*");
  }
  if (window.ResizeObserver) new ResizeObserver(send).observe(document.documentElement);
  window.addEventListener("load", send);
  send();
})();
