/**
 * The script websites load from `/t.js`. It records nothing, and stores nothing in the browser,
 * until the visitor consents: call `baton.consent(true)` from the site's cookie banner, or add
 * `data-consent="granted"` to the script tag where consent is collected elsewhere. After that it
 * keeps an anonymous visitor id, sends each page view, and fills the hidden visitor field of Baton
 * forms so a form submission joins the visitor's earlier page views. The page's address and its
 * campaign tags (utm_*) go into a form's hidden fields always: they are part of what is sent.
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
  function set(name, value) {
    var fields = document.querySelectorAll('input[name="' + name + '"]');
    for (var i = 0; i < fields.length; i++) if (!fields[i].value) fields[i].value = value;
  }
  // The page a form is on and its campaign tags go with the form the visitor sends: nothing is
  // stored in the browser for that, so it needs no consent.
  function fillPage() {
    set('baton_page', location.href);
    var params = new URLSearchParams(location.search);
    var tags = ['source', 'medium', 'campaign', 'term', 'content'];
    for (var i = 0; i < tags.length; i++) {
      var value = params.get('utm_' + tags[i]);
      if (value) set('utm_' + tags[i], value);
    }
  }
  function track() {
    fillPage();
    if (!consented()) return;
    set('baton_visitor_id', visitorId());
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
