/* callcard track.js: sessions, pageviews, pings and the held tracking number (dynamic number insertion). */
(function () {
  "use strict";
  var me = document.currentScript;
  if (!me) return;
  var siteKey = me.getAttribute("data-site-key");
  var api = me.src.replace(/\/v1\/track\.js.*$/, "") + "/v1/track/sessions";
  var VISITOR = "cc_vid", SESSION = "cc_sid", DAYS = 30, PING_MS = 15000;
  var shown = null, fallback = null;

  function cookie(name) {
    var m = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return m ? decodeURIComponent(m[1]) : null;
  }
  function remember(vid) {
    document.cookie = VISITOR + "=" + encodeURIComponent(vid) + "; max-age=" + DAYS * 86400 + "; path=/; SameSite=Lax";
  }
  function digits(text) { return (text || "").replace(/\D/g, ""); }
  // a run of digits and separators whose digits end with the default number's national digits
  function matches(text, tail) {
    var d = digits(text);
    return d.length >= tail.length && d.length <= tail.length + 3 && d.slice(-tail.length) === tail;
  }
  // the new number's digits written into the old text's formatting, from the right
  function reformat(text, number) {
    var d = digits(number), out = "", i = d.length;
    for (var j = text.length - 1; j >= 0; j--) {
      var c = text.charAt(j);
      out = (/\d/.test(c) && i > 0 ? d.charAt(--i) : c) + out;
    }
    return out;
  }
  function show(number, original) {
    if (!number || !original || number === shown) return;
    var tail = digits(original).slice(-9), runs = /\+?\d[\d\s().\-\u00a0]{5,}\d/g;
    var walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, null), node;
    while ((node = walker.nextNode())) {
      if (node.ccOriginal === undefined) {
        if (!runs.test(node.nodeValue)) continue;
        node.ccOriginal = node.nodeValue;
      }
      node.nodeValue = node.ccOriginal.replace(runs, function (run) {
        return matches(run, tail) ? reformat(run, number) : run;
      });
      runs.lastIndex = 0;
    }
    var links = document.querySelectorAll("a[href^='tel:']");
    for (var k = 0; k < links.length; k++) {
      var a = links[k];
      if (!a.ccOriginal) a.ccOriginal = a.getAttribute("href");
      if (matches(a.ccOriginal.slice(4), tail)) a.setAttribute("href", "tel:" + number);
    }
    shown = number;
  }
  function send(url, body, done) {
    var request = new XMLHttpRequest();
    request.open("POST", url);
    request.setRequestHeader("Content-Type", "text/plain");
    request.onload = function () {
      var answer = null;
      try { answer = JSON.parse(request.responseText); } catch (e) { answer = null; }
      done(request.status, answer);
    };
    request.send(JSON.stringify(body));
  }
  function answered(status, answer) {
    if (status < 300 && answer) {
      fallback = answer.default_number || fallback;
      show(answer.phone_number, fallback);
    }
  }
  function start() {
    var body = { site_key: siteKey, url: location.href, referrer: document.referrer || null, title: document.title };
    var vid = cookie(VISITOR);
    if (vid) body.visitor_id = vid;
    send(api, body, function (status, answer) {
      if (status === 201 && answer && answer.session_id) {
        remember(answer.visitor_id);
        sessionStorage.setItem(SESSION, answer.session_id);
      }
      answered(status, answer);
    });
  }
  function event(type) {
    var sid = sessionStorage.getItem(SESSION);
    if (!sid) return start();
    var e = { type: type };
    if (type === "pageview") { e.url = location.href; e.title = document.title; }
    send(api + "/" + encodeURIComponent(sid) + "/events", { site_key: siteKey, events: [e] }, function (status, answer) {
      if (status === 409 || status === 404) {
        sessionStorage.removeItem(SESSION);
        return start();
      }
      answered(status, answer);
    });
  }
  function run() {
    event("pageview");
    setInterval(function () {
      if (document.visibilityState === "visible") event("ping");
    }, PING_MS);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", run);
  else run();
})();
