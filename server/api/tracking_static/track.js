// The live tracking page: follows /t/{token}/events, replaces the card, and alerts
// (sound, vibration) once when the turn is near and once when it is called. Without this
// script the page still shows the state and refreshes itself (<noscript> meta refresh).
(function () {
  "use strict";
  var me = document.currentScript;
  var token = me.dataset.token;
  var lang = me.dataset.lang;
  var card = document.getElementById("card");
  var foot = document.getElementById("foot");
  var OVER = { done: 1, no_show: 1, cancelled: 1, expired: 1 };
  var alerted = {};
  var audio = null;
  // What the page did, for the browser tests (and a curious reader of the console).
  var state = (window.qmsTrack = { updates: 0, alerts: [], last: null });

  // Phones play sound only after a touch: the first one unlocks the audio.
  document.addEventListener("pointerdown", function () {
    try {
      if (!audio) audio = new (window.AudioContext || window.webkitAudioContext)();
      if (audio.state === "suspended") audio.resume();
    } catch (e) { /* no audio on this browser */ }
  }, { once: true });

  function beep(times) {
    try {
      if (!audio) audio = new (window.AudioContext || window.webkitAudioContext)();
      for (var i = 0; i < times; i++) {
        var osc = audio.createOscillator();
        var gain = audio.createGain();
        var at = audio.currentTime + i * 0.45;
        osc.frequency.value = 880;
        gain.gain.setValueAtTime(0.3, at);
        gain.gain.exponentialRampToValueAtTime(0.001, at + 0.35);
        osc.connect(gain).connect(audio.destination);
        osc.start(at);
        osc.stop(at + 0.4);
      }
    } catch (e) { /* no audio on this browser */ }
  }

  function alertFor(update) {
    var kind = update.called ? "called" : update.near ? "near" : "";
    if (!kind) return;
    var key = update.ticket + ":" + kind;
    if (alerted[key]) return;
    alerted[key] = true;
    state.alerts.push(kind);
    if (navigator.vibrate) {
      try { navigator.vibrate(kind === "called" ? [400, 200, 400, 200, 400] : [300, 150, 300]); }
      catch (e) { /* not allowed before a touch */ }
    }
    beep(kind === "called" ? 3 : 2);
  }

  function connect() {
    var url = "/t/" + encodeURIComponent(token) + "/events?lang=" + encodeURIComponent(lang);
    var events = new EventSource(url);
    events.onmessage = function (message) {
      var update = JSON.parse(message.data);
      card.innerHTML = update.html;
      state.updates += 1;
      state.last = update;
      foot.textContent = me.dataset.live;
      alertFor(update);
      // Called or over: a notice of the turn is no use any more.
      var box = document.querySelector(".notify");
      if (box) box.hidden = update.called || !!OVER[update.status];
      if (OVER[update.status]) events.close();
    };
    events.onerror = function () {
      if (events.readyState !== EventSource.CLOSED) foot.textContent = me.dataset.offline;
    };
  }

  function keyBytes(text) {
    var padded = (text + "===".slice((text.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(padded);
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out;
  }

  function offerPush() {
    var button = document.getElementById("push");
    var said = document.getElementById("push-said");
    if (!button || !("serviceWorker" in navigator) || !("PushManager" in window)) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      Notification.requestPermission().then(function (answer) {
        if (answer !== "granted") throw new Error(answer);
        return navigator.serviceWorker.register("/t/sw.js");
      }).then(function (registration) {
        return registration.pushManager.subscribe({
          userVisibleOnly: true,
          applicationServerKey: keyBytes(button.dataset.key),
        });
      }).then(function (subscription) {
        return fetch("/t/" + encodeURIComponent(token) + "/push", {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify(subscription),
        });
      }).then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        said.textContent = button.dataset.on;
        button.hidden = true;
      }).catch(function () {
        said.textContent = button.dataset.off;
      });
    });
  }

  if (window.EventSource) connect();
  offerPush();
})();
