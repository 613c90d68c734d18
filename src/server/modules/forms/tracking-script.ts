/**
 * The script websites load from `/t.js`. It records nothing, and stores nothing in the browser,
 * until the visitor consents: call `baton.consent(true)` from the site's cookie banner, or add
 * `data-consent="granted"` to the script tag where consent is collected elsewhere. After that it
 * keeps an anonymous visitor id, sends each page view, and fills the hidden fields of Baton forms so
 * a form submission joins the visitor's earlier page views.
 */
export const trackingScript = `(function () {
  var script = document.currentScript;
  var base = script && script.src ? script.src.replace(/\\/t\\.js.*$/, '') : '';
  var ID = 'baton_vid', CONSENT = 'baton_consent';
  function store() { try { return window.localStorage; } catch (e) { return null; } }
  function consented() {
    var s = store();
    return (s && s.getItem(CONSENT) === 'granted') || (script && script.getAttribute('data-consent') === 'granted');
  }
  function visitorId() {
    var s = store();
    var id = s && s.getItem(ID);
    if (!id) {
      id = 'v_' + Math.random().toString(36).slice(2, 12) + Date.now().toString(36);
      if (s) s.setItem(ID, id);
    }
    return id;
  }
  function fill() {
    var id = visitorId();
    var fields = document.querySelectorAll('input[name="baton_visitor_id"]');
    for (var i = 0; i < fields.length; i++) fields[i].value = id;
    var pages = document.querySelectorAll('input[name="baton_page"]');
    for (var j = 0; j < pages.length; j++) pages[j].value = location.href;
  }
  function track() {
    if (!consented()) return;
    fill();
    var body = JSON.stringify({ visitorId: visitorId(), url: location.href, referrer: document.referrer || null, title: document.title });
    var url = base + '/t/collect';
    if (navigator.sendBeacon && navigator.sendBeacon(url, new Blob([body], { type: 'text/plain' }))) return;
    fetch(url, { method: 'POST', body: body, keepalive: true, mode: 'cors', headers: { 'content-type': 'text/plain' } });
  }
  window.baton = {
    consent: function (granted) {
      var s = store();
      if (s) s.setItem(CONSENT, granted ? 'granted' : 'denied');
      if (!granted && s) s.removeItem(ID);
      if (granted) track();
    },
    track: track
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', track);
  else track();
})();
`;
