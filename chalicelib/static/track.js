/* callcard track.js: sessions, pageviews (single-page navigation too), pings, the last event on page exit and the
   held tracking number (dynamic number insertion), also in content that arrives later. README, "Tracking". */
(function () {
  "use strict";
  // Whatever happens in here, the page never sees an exception from the snippet.
  function safe(fn) {
    return function () {
      try { return fn.apply(this, arguments); } catch (e) { return undefined; }
    };
  }
  safe(function () {
    var me = document.currentScript;
    if (!me) return;
    var siteKey = me.getAttribute("data-site-key");
    var api = me.src.replace(/\/v1\/track\.js.*$/, "") + "/v1/track/sessions";
    var VISITOR = "cc_vid", SESSION = "cc_sid", DAYS = 30, PING_MS = 60000, MAX_EVENTS = 50;
    // data-consent="wait": no cookie until callcard.consent(true); the tab's own storage meanwhile
    var waiting = me.getAttribute("data-consent") === "wait", consented = !waiting;
    var shown = null, tail = null, fallback = null, begun = false, busy = false, queue = [], lastUrl = null;
    var NUMBER = "cc_num", TITLE_MS = 1000, pending = null, viewed = null, firstTitle = document.title;

    function cookie(name) {
      var m = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
      return m ? decodeURIComponent(m[1]) : null;
    }
    function setCookie(value, seconds) {
      document.cookie = VISITOR + "=" + encodeURIComponent(value) + "; max-age=" + seconds + "; path=/; SameSite=Lax";
    }
    // the tab's storage; where the browser refuses sessionStorage, this page's memory
    var memory = {};
    var tab = {
      get: function (name) {
        try { return sessionStorage.getItem(name); } catch (e) { return memory[name] || null; }
      },
      set: function (name, value) {
        try { sessionStorage.setItem(name, value); } catch (e) { memory[name] = value; }
      },
      remove: function (name) {
        try { sessionStorage.removeItem(name); } catch (e) { delete memory[name]; }
      }
    };
    function visitor() { return (consented && cookie(VISITOR)) || tab.get(VISITOR); }
    // Google Analytics' client id from its `_ga` cookie (GA1.1.<random>.<timestamp>), with consent only; sent
    // with the start and every batch, as Analytics may set the cookie only after the visitor's consent
    function gaClientId() {
      var m = consented && /^GA\d+\.\d+\.(\d+\.\d+)$/.exec(cookie("_ga") || "");
      return m ? m[1] : undefined;
    }

    // what the API takes: printable ASCII URLs up to 2048 characters, titles without control characters
    function pageUrl(url) { return url ? url.slice(0, 2048) : null; }
    function pageTitle() { return document.title.replace(/[\x00-\x1f\x7f-\x9f]/g, " ").slice(0, 500); }

    // ---- the number ----------------------------------------------------------------------------------------
    var RUNS = /\+?\d[\d\s().\-\u00a0]{5,}\d/g;
    function digits(text) { return (text || "").replace(/\D/g, ""); }
    // a run of digits and separators whose digits end with the default number's national digits
    function matches(text) {
      var d = digits(text);
      return d.length >= tail.length && d.length <= tail.length + 3 && d.slice(-tail.length) === tail;
    }
    // the new number's digits written into the old text's formatting, from the right
    function reformat(text) {
      var d = digits(shown), out = "", i = d.length;
      for (var j = text.length - 1; j >= 0; j--) {
        var c = text.charAt(j);
        out = (/\d/.test(c) && i > 0 ? d.charAt(--i) : c) + out;
      }
      return out;
    }
    // A node keeps its original text; a node whose text is what the snippet wrote is not processed again.
    function replaceText(node) {
      if (node.ccWritten !== node.nodeValue) {
        RUNS.lastIndex = 0;
        if (!RUNS.test(node.nodeValue)) return;
        node.ccOriginal = node.nodeValue;
      }
      node.nodeValue = node.ccWritten = node.ccOriginal.replace(RUNS, function (run) {
        return matches(run) ? reformat(run) : run;
      });
    }
    function replaceLink(a) {
      var href = a.getAttribute("href");
      if (a.ccWritten !== href) a.ccOriginal = href;
      if (matches(a.ccOriginal.slice(4))) a.setAttribute("href", (a.ccWritten = "tel:" + shown));
    }
    // the text nodes and tel: links in and under `root`
    function replaceIn(root) {
      if (root.nodeType === 3) return replaceText(root);
      if (root.nodeType !== 1) return;
      var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, null), node;
      while ((node = walker.nextNode())) replaceText(node);
      if (root.matches("a[href^='tel:']")) replaceLink(root);
      var links = root.querySelectorAll("a[href^='tel:']");
      for (var k = 0; k < links.length; k++) replaceLink(links[k]);
    }
    // Content inserted or changed later: each batch of mutations processes only the nodes it names.
    var observer = window.MutationObserver && new MutationObserver(safe(function (records) {
      for (var r = 0; r < records.length; r++) {
        var record = records[r];
        if (record.type === "characterData") replaceText(record.target);
        for (var n = 0; n < record.addedNodes.length; n++) replaceIn(record.addedNodes[n]);
      }
      observer.takeRecords(); // the snippet's own writes
    }));
    function show(number, original) {
      if (!number || !original || number === shown) return;
      shown = number;
      tail = digits(original).slice(-9);
      tab.set(NUMBER, number + " " + original);
      replaceIn(document.body);
      if (observer) {
        observer.takeRecords();
        observer.observe(document.body, { childList: true, subtree: true, characterData: true });
      }
    }

    // ---- requests --------------------------------------------------------------------------------------
    function post(url, body, done) {
      var request = new XMLHttpRequest();
      request.open("POST", url);
      request.setRequestHeader("Content-Type", "text/plain");
      request.onloadend = safe(function () {
        var answer = null;
        try { answer = JSON.parse(request.responseText); } catch (e) { answer = null; }
        done(request.status, answer);
      });
      request.send(JSON.stringify(body));
    }
    // a request worth sending again (at the next event): no answer, a server error or a throttle
    function transient(status) { return status === 0 || status === 429 || status >= 500; }
    function answered(status, answer) {
      if (status < 300 && answer) {
        fallback = answer.default_number || fallback;
        show(answer.phone_number, fallback);
      }
    }
    function eventsUrl(sid) { return api + "/" + encodeURIComponent(sid) + "/events"; }
    function start() {
      busy = true;
      queue = []; // the new session's landing page, the last page viewed, is its first pageview
      var body = { site_key: siteKey, url: viewed.url, referrer: pageUrl(document.referrer), title: viewed.title,
        ga_client_id: gaClientId() };
      var vid = visitor();
      if (vid) body.visitor_id = vid;
      post(api, body, function (status, answer) {
        busy = false;
        if (status === 201 && answer && answer.session_id) {
          tab.set(SESSION, answer.session_id);
          tab.set(VISITOR, answer.visitor_id);
          if (consented) setCookie(answer.visitor_id, DAYS * 86400);
        }
        answered(status, answer);
        if (tab.get(SESSION) && queue.length) flush(); // what happened while the session started
      });
    }
    function flush() {
      if (busy) return; // the queue goes with the next event after the answer
      var sid = tab.get(SESSION);
      if (!sid) return start();
      if (!queue.length) return;
      var batch = queue;
      queue = [];
      busy = true;
      var body = { site_key: siteKey, events: batch, ga_client_id: gaClientId() };
      post(eventsUrl(sid), body, function (status, answer) {
        busy = false;
        if (status === 409 || status === 404) {
          tab.remove(SESSION);
          return start();
        }
        answered(status, answer);
        if (transient(status)) queue = batch.concat(queue).slice(-MAX_EVENTS);
        else if (queue.length) flush(); // what happened while the batch was under way
      });
    }
    function enqueue(e) { queue = queue.concat([e]).slice(-MAX_EVENTS); }
    function event(type) {
      enqueue({ type: type, at: new Date().toISOString() });
      if (!pending) flush(); // else with the pageview waiting for its title (the API orders a batch by time)
    }
    // Leaving (another tab, another app, closing): the queue and a last ping leave with a beacon, which the
    // browser sends even while the page goes away, so the last page's time counts up to now.
    var left = false;
    var leave = safe(function () {
      var sid = tab.get(SESSION);
      if (left || !sid) return;
      left = true;
      settle(false);
      var batch = queue.concat([{ type: "ping", at: new Date().toISOString() }]).slice(-MAX_EVENTS);
      queue = [];
      var body = JSON.stringify({ site_key: siteKey, events: batch, ga_client_id: gaClientId() });
      if (!(navigator.sendBeacon && navigator.sendBeacon(eventsUrl(sid), body))) queue = batch;
    });

    // ---- pageviews, each with its page's own title ------------------------------------------------------------
    // An app sets a route's title after its URL, often in a later task (React's transitions), and a client-rendered
    // page's static title is rarely its name: a pageview waits until the title changes (from the one the page had
    // when the snippet ran, for the landing page), at most TITLE_MS; the next navigation or leaving sends it at
    // once, with the title the page has by then.
    var titles = window.MutationObserver && new MutationObserver(safe(function () {
      if (pending && document.title !== pending.title) settle(true);
    }));
    function pageview(before) {
      settle(true);
      var e = { type: "pageview", at: new Date().toISOString(), url: pageUrl(location.href) };
      pending = { e: e, title: before, timer: setTimeout(safe(function () { settle(true); }), TITLE_MS) };
      if (document.title !== before) return settle(true);
      var head = document.head || document.documentElement;
      if (titles) titles.observe(head, { childList: true, subtree: true, characterData: true });
    }
    // the waiting pageview into the queue, with the page's title; `send`: and out (a tab's first starts its session)
    function settle(send) {
      var waiting = pending;
      if (!waiting) return;
      pending = null;
      clearTimeout(waiting.timer);
      if (titles) titles.disconnect();
      waiting.e.title = pageTitle();
      viewed = waiting.e;
      enqueue(waiting.e);
      if (send) flush();
    }
    // single-page navigation: a new URL is a pageview
    var navigated = safe(function () {
      if (!begun || location.href === lastUrl) return;
      lastUrl = location.href;
      pageview(document.title);
    });
    function wrap(name) {
      var original = history[name];
      if (typeof original !== "function") return;
      history[name] = function () {
        var result = original.apply(this, arguments);
        navigated();
        return result;
      };
    }

    var begin = safe(function () {
      if (begun) return;
      if (document.readyState === "loading") return document.addEventListener("DOMContentLoaded", begin);
      begun = true;
      lastUrl = location.href;
      // the tab's session shows its number at once, not after its pageview waited for the title and was answered
      var known = tab.get(SESSION) && tab.get(NUMBER);
      if (known) show.apply(null, known.split(" "));
      pageview(firstTitle); // without a session, flush() starts one with this page
      setInterval(safe(function () {
        if (document.visibilityState === "visible") event("ping");
      }), PING_MS);
    });

    window.callcard = {
      // the visitor's answer to the site's consent banner: true remembers them (30-day cookie), false forgets
      consent: safe(function (given) {
        consented = given === true;
        var vid = consented && (cookie(VISITOR) || tab.get(VISITOR));
        if (vid) setCookie(vid, DAYS * 86400);
        if (!consented) setCookie("", 0);
        begin();
      })
    };
    wrap("pushState");
    wrap("replaceState");
    window.addEventListener("popstate", navigated);
    window.addEventListener("pagehide", leave);
    document.addEventListener("visibilitychange", safe(function () {
      if (document.visibilityState === "hidden") leave();
      else left = false;
    }));
    // Waiting for consent, the session starts at the page's answer or at the latest once the page has loaded,
    // so a returning visitor whose consent the site knows at once keeps their visitor id.
    if (waiting && document.readyState !== "complete") window.addEventListener("load", begin);
    else begin();
  })();
})();
