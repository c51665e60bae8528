// The advocate's queue, kept up to date without a reload. The server says when the queue has
// changed (an event stream from /dashboard/queue/events, or /dashboard/queue/version asked
// every few seconds where the stream fails); the page then fetches its changing part again.
// A new urgent referral beeps (unless switched off), shows a notification (if allowed) and is
// counted in the tab's title. Without this script the page is the same after a reload.
"use strict";

(function () {
  var rows = document.getElementById("queue-rows");
  if (!rows) return;
  var controls = document.getElementById("live-controls");
  var status = document.getElementById("live-status");
  var soundButton = document.getElementById("sound-toggle");
  var notifyButton = document.getElementById("notify-ask");
  var POLL_MS = 5000;
  // The rows are fetched again now and then even when nothing changed, so waiting times move on.
  var REFRESH_MS = 5 * 60 * 1000;
  var SOUND_KEY = "rightsline.queue.sound";

  var version = rows.dataset.version || null;
  var newestUrgent = Number(rows.dataset.newestUrgent || 0);
  var urgentCount = null; // unclaimed urgent referrals last seen; null until the first answer
  var polling = null;
  var audio = null;

  function soundOn() {
    try {
      return window.localStorage.getItem(SOUND_KEY) !== "off";
    } catch (error) {
      return true;
    }
  }

  function showSound() {
    var on = soundOn();
    soundButton.textContent = "Sound for urgent: " + (on ? "on" : "off");
    soundButton.setAttribute("aria-pressed", on ? "true" : "false");
  }

  function audioContext() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return null;
    if (!audio) audio = new Context();
    if (audio.state === "suspended") audio.resume();
    return audio;
  }

  // A short beep made here: two quick tones, no sound file.
  function beep() {
    if (!soundOn()) return;
    var context = audioContext();
    if (!context) return;
    [0, 0.25].forEach(function (start) {
      var tone = context.createOscillator();
      var volume = context.createGain();
      tone.type = "sine";
      tone.frequency.value = 880;
      volume.gain.setValueAtTime(0.2, context.currentTime + start);
      volume.gain.exponentialRampToValueAtTime(0.001, context.currentTime + start + 0.18);
      tone.connect(volume);
      volume.connect(context.destination);
      tone.start(context.currentTime + start);
      tone.stop(context.currentTime + start + 0.2);
    });
  }

  function showNotifyButton() {
    if (!("Notification" in window) || Notification.permission !== "default") {
      notifyButton.hidden = true;
    }
  }

  function notify(count) {
    if (!("Notification" in window) || Notification.permission !== "granted") return;
    try {
      // Only the count: nothing a child wrote shows outside the page.
      new Notification("Rightsline: a new urgent referral", {
        body: count + " urgent referral" + (count === 1 ? "" : "s") + " waiting to be claimed.",
        tag: "rightsline-urgent",
      });
    } catch (error) {
      // Some browsers allow notifications only from a service worker; the title still says it.
    }
  }

  function showTitle(urgent) {
    document.title = (urgent > 0 ? "(" + urgent + ") urgent" : "Queue") + " · Rightsline";
  }

  function refreshRows() {
    return fetch(rows.dataset.rowsUrl, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (response.status === 401) throw new Error("signed out");
        if (!response.ok) throw new Error("not refreshed");
        return response.text();
      })
      .then(function (html) {
        rows.innerHTML = html;
        status.textContent = "This list updates itself. Last changed " +
          new Date().toLocaleTimeString("en-GB") + ".";
      });
  }

  function signedOut() {
    stopPolling();
    status.textContent = "You are signed out. Reload the page to sign in again.";
    // Said in the tab's title too: an urgent count there would no longer be true.
    document.title = "Signed out: reload to see the queue · Rightsline";
  }

  function changed(found) {
    showTitle(found.urgent);
    // A new urgent referral, or one back in the queue (given back, or its holder switched off).
    var arrived = found.newest_urgent > newestUrgent ||
      (urgentCount !== null && found.urgent > urgentCount);
    newestUrgent = Math.max(newestUrgent, found.newest_urgent);
    urgentCount = found.urgent;
    if (arrived) {
      beep();
      notify(found.urgent);
    }
    if (version !== null && found.version !== version) {
      version = found.version;
      refreshRows().catch(function (error) {
        if (error.message === "signed out") signedOut();
      });
    }
    version = found.version;
  }

  function poll() {
    fetch("/dashboard/queue/version", { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (response.status === 401) throw new Error("signed out");
        return response.json();
      })
      .then(changed)
      .catch(function (error) {
        if (error.message === "signed out") signedOut();
      });
  }

  function startPolling() {
    if (polling !== null) return;
    poll();
    polling = window.setInterval(poll, POLL_MS);
  }

  function stopPolling() {
    if (polling !== null) window.clearInterval(polling);
    polling = null;
  }

  function listen() {
    if (!("EventSource" in window)) {
      startPolling();
      return;
    }
    var stream = new EventSource("/dashboard/queue/events");
    stream.addEventListener("queue", function (event) {
      stopPolling();
      changed(JSON.parse(event.data));
    });
    stream.onerror = function () {
      // The browser reconnects by itself; if it has given up, ask every few seconds instead.
      if (stream.readyState === EventSource.CLOSED) startPolling();
    };
  }

  controls.hidden = false;
  showSound();
  showNotifyButton();
  soundButton.addEventListener("click", function () {
    try {
      window.localStorage.setItem(SOUND_KEY, soundOn() ? "off" : "on");
    } catch (error) {
      // Private windows may refuse storage; the choice then lasts only for this page.
    }
    showSound();
    if (soundOn()) audioContext(); // a click lets the page make sound later
  });
  notifyButton.addEventListener("click", function () {
    audioContext();
    Notification.requestPermission().then(showNotifyButton);
  });
  document.addEventListener("click", function () { if (soundOn()) audioContext(); }, { once: true });
  listen();
  window.setInterval(function () {
    refreshRows().catch(function (error) {
      if (error.message === "signed out") signedOut();
    });
  }, REFRESH_MS);
})();
