// The live hall: fills the page from the server-sent feed (one JSON text per change of the
// site), ticks the waits and durations each second, sounds a new alert (WebAudio, once the
// supervisor turned the sound on: browsers allow sound only after a click).
(function () {
  "use strict";
  var root = document.getElementById("live");
  if (!root) return;
  var site = root.dataset.site;
  var lang = root.dataset.lang;
  var csrf = root.dataset.csrf;
  var T = JSON.parse(document.getElementById("live-texts").textContent);
  var state = null;
  var heard = {};  // alert ids already sounded
  var audio = null;
  var soundOn = localStorage.getItem("qms-live-sound") === "1";
  var showIdle = { fields: false, devices: false };  // the quiet ones, folded by default

  function more(kind, count, label, colspan) {
    var button = el("button", { type: "button", cls: "link more", "data-more": kind,
      text: (showIdle[kind] ? T.live_fold : T.live_show) + " " + count + " " + label });
    button.addEventListener("click", function () { showIdle[kind] = !showIdle[kind]; show(state); });
    return colspan ? el("tr", { cls: "more" }, [el("td", { colspan: String(colspan) }, [button])])
      : el("li", { cls: "more" }, [button]);
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else if (k === "cls") node.className = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(c); });
    return node;
  }

  function duration(seconds) {
    if (seconds === null || seconds === undefined || seconds < 0) return "—";
    seconds = Math.floor(seconds);
    var h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
    var mm = (h ? String(m).padStart(2, "0") : String(m)) + ":" + String(s).padStart(2, "0");
    return h ? h + ":" + mm : mm;
  }

  function since(iso) {
    return iso ? (Date.now() - Date.parse(iso)) / 1000 : null;
  }

  function clock(iso) {
    if (!iso) return T.dev_never;
    var d = new Date(iso);
    return d.toLocaleTimeString(lang === "vi" ? "vi-VN" : "en-GB", { hour12: false });
  }

  function beep() {
    if (!soundOn) return;
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      [0, 0.35].forEach(function (at, i) {
        var osc = audio.createOscillator(), gain = audio.createGain();
        osc.frequency.value = i ? 660 : 880;
        gain.gain.setValueAtTime(0.25, audio.currentTime + at);
        gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + at + 0.3);
        osc.connect(gain).connect(audio.destination);
        osc.start(audio.currentTime + at);
        osc.stop(audio.currentTime + at + 0.32);
      });
    } catch (e) { /* no audio device: the alert still shows */ }
  }

  function acknowledge(id) {
    var body = new URLSearchParams({ csrf: csrf });
    fetch("/console/s/" + site + "/alerts/" + id + "/ack", {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
    });
  }

  function renderAlerts() {
    var list = document.getElementById("live-alerts");
    list.replaceChildren();
    if (!state.alerts.length) {
      list.appendChild(el("li", { cls: "none", text: T.live_no_alerts }));
      return;
    }
    var fresh = false;
    state.alerts.forEach(function (a) {
      var acked = a.acknowledged_by !== null;
      if (!acked && !heard[a.id]) { heard[a.id] = true; fresh = true; }
      var item = el("li", { cls: "alert " + a.kind + (acked ? " acked" : ""), "data-alert": a.id }, [
        el("span", { cls: "when", text: clock(a.raised_at) }),
        el("span", { cls: "what", text: lang === "vi" ? a.vi : a.en }),
      ]);
      if (acked) {
        item.appendChild(el("span", { cls: "who", text: T.live_acked_by + " " + a.acknowledged_by }));
      } else {
        var button = el("button", { type: "button", cls: "ack", text: T.live_ack });
        button.addEventListener("click", function () { button.disabled = true; acknowledge(a.id); });
        item.appendChild(button);
      }
      list.appendChild(item);
    });
    if (fresh) beep();
  }

  function renderFields() {
    var body = document.getElementById("live-fields");
    body.replaceChildren();
    function rank(f) { return f.waiting ? 0 : f.issued ? 1 : 2; }
    var fields = state.fields.slice().sort(function (a, b) { return rank(a) - rank(b); });
    var idle = fields.filter(function (f) { return rank(f) === 2; }).length;
    if (!showIdle.fields) fields = fields.filter(function (f) { return rank(f) < 2; });
    fields.forEach(function (f) {
      var wait = f.waiting ? since(f.oldest_at) : null;
      var over = f.target_s !== null && wait !== null && wait > f.target_s;
      var row = el("tr", { "data-field": f.code, cls: (f.waiting ? "busy" : "idle") + (over ? " over" : "") }, [
        el("td", { text: lang === "vi" ? f.name_vi : f.name_en }),
        el("td", { cls: "n waiting", text: String(f.waiting) }),
        el("td", { cls: "n longest" + (over ? " over" : ""), "data-since": f.waiting ? f.oldest_at : "", text: duration(wait) }),
        el("td", { cls: "n", text: f.target_s !== null ? duration(f.target_s) : "—" }),
        el("td", { cls: "n", text: duration(f.estimate_s) }),
        el("td", { cls: "n" + (f.waiting && !f.open ? " over" : ""), text: String(f.open) }),
        el("td", { cls: "n issued", text: String(f.issued) }),
        el("td", { cls: "n served", text: String(f.served) }),
      ]);
      body.appendChild(row);
    });
    if (idle) body.appendChild(more("fields", idle, T.live_idle_fields, 8));
  }

  // Open, pause or close a counter from its card: the same command as the counter's
  // control page (idempotent, audited); the feed shows the change.
  function setCounterState(c, wanted, button) {
    button.disabled = true;
    var body = new URLSearchParams({ csrf: csrf, state: wanted, key: "live-" + c.id + "-" + wanted + "-" + Date.now() });
    fetch("/console/s/" + site + "/control/counters/" + c.id + "/state", {
      method: "POST", body: body, credentials: "same-origin", headers: { Accept: "application/json" },
    }).then(function (r) { return r.json(); }).then(function (answer) {
      if (!answer.ok) { showRefusal(answer.message); button.disabled = false; }
    }).catch(function () { showRefusal(T.live_lost); button.disabled = false; });
  }

  function showRefusal(message) {
    var box = document.getElementById("live-refusal");
    if (!box) return;
    box.textContent = message;
    box.hidden = false;
    window.setTimeout(function () { box.hidden = true; }, 8000);
  }

  // What a supervisor may do with a counter in each state (a closed one is opened first).
  var ACTIONS = {
    open: [["paused", "do_pause"], ["closed", "do_close"]],
    serving: [["paused", "do_pause"], ["closed", "do_close"]],
    paused: [["open", "do_open"], ["closed", "do_close"]],
    closed: [["open", "do_open"]],
  };

  function controls(c) {
    var row = el("span", { cls: "controls" }, []);
    (ACTIONS[c.state] || []).forEach(function (pair) {
      var button = el("button", { type: "button", cls: "ctl " + pair[0], text: T[pair[1]], "data-action": pair[0] });
      button.addEventListener("click", function () { setCounterState(c, pair[0], button); });
      row.appendChild(button);
    });
    return row;
  }

  function renderCounters() {
    var list = document.getElementById("live-counters");
    list.replaceChildren();
    state.counters.forEach(function (c) {
      var link = el("a", { href: "/console/s/" + site + "/control/counters/" + c.id, title: T.live_manage }, [
        el("span", { cls: "num", text: String(c.number) }),
        el("span", { cls: "ticket", text: c.ticket || "" }),
        el("span", { cls: "state" }, c.state === "closed" ? [document.createTextNode(T.state_closed)] : [
          document.createTextNode(T["state_" + c.state] + " · "),
          el("span", { cls: "for", "data-since": c.since || "", text: duration(since(c.since)) }),
        ]),
        el("span", { cls: "clerk", text: c.clerk || "" }),
        el("span", { cls: "stats", text: "✓ " + c.served + " · ⌀ " + (c.avg_s !== null ? duration(c.avg_s) : "—") }),
      ]);
      list.appendChild(el("li", { cls: "counter " + c.state, "data-counter": c.id }, [link, controls(c)]));
    });
  }

  var DEVICE_ORDER = { silent: 0, offline: 1, ok: 2, never: 3 };

  function deviceStatus(d) {
    return d.last_seen === null ? "never" : d.silent ? "silent" : d.online ? "ok" : "offline";
  }

  function renderDevices() {
    var list = document.getElementById("live-devices");
    list.replaceChildren();
    var devices = state.devices.slice().sort(function (a, b) {
      var paperA = a.printer === "paper_out" || a.printer === "paper_low" ? 0 : 1;
      var paperB = b.printer === "paper_out" || b.printer === "paper_low" ? 0 : 1;
      return DEVICE_ORDER[deviceStatus(a)] - DEVICE_ORDER[deviceStatus(b)] || paperA - paperB;
    });
    var never = devices.filter(function (d) { return deviceStatus(d) === "never"; }).length;
    if (!showIdle.devices) devices = devices.filter(function (d) { return deviceStatus(d) !== "never"; });
    devices.forEach(function (d) {
      var status = deviceStatus(d);
      var paper = d.printer && d.printer !== "none" && status !== "never";
      list.appendChild(el("li", { "data-device": d.id, cls: "device " + status + (paper ? " printer-" + d.printer : "") }, [
        el("span", { cls: "name", text: d.name }),
        el("span", { cls: "kind", text: T["kind_" + d.kind] || d.kind }),
        el("span", { cls: "status", text: T["dev_" + status] }),
        paper ? el("span", { cls: "printer", text: T.live_printer + ": " + (T["printer_" + d.printer] || d.printer) }) : null,
        el("span", { cls: "beat", text: T.live_heartbeat + ": " + clock(d.last_seen) }),
      ]));
    });
    if (never) list.appendChild(more("devices", never, T.live_never_devices));
  }

  function tick() {
    document.querySelectorAll("[data-since]").forEach(function (node) {
      var iso = node.getAttribute("data-since");
      node.textContent = iso ? duration(since(iso)) : "—";
    });
  }

  function show(data) {
    state = data;
    renderAlerts();
    renderFields();
    renderCounters();
    renderDevices();
    root.dataset.seq = String(data.seq);
    var status = document.getElementById("live-status");
    status.textContent = T.live_updated + " " + clock(new Date().toISOString());
    status.className = "live-status ok";
  }

  function connect() {
    var source = new EventSource("/console/s/" + site + "/live/feed");
    source.onmessage = function (event) { show(JSON.parse(event.data)); };
    source.onerror = function () {
      var status = document.getElementById("live-status");
      status.textContent = T.live_lost;
      status.className = "live-status lost";
    };
  }

  var sound = document.getElementById("live-sound");
  function soundLabel() {
    sound.textContent = soundOn ? T.live_sound_off : T.live_sound_on;
    sound.setAttribute("aria-pressed", soundOn ? "true" : "false");
  }
  sound.addEventListener("click", function () {
    soundOn = !soundOn;
    localStorage.setItem("qms-live-sound", soundOn ? "1" : "0");
    soundLabel();
    if (soundOn) beep();
  });
  soundLabel();
  setInterval(tick, 1000);
  connect();
})();
