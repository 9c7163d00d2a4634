/* Thăng Long — the callbot demo: talk through the microphone, one recorded turn at a time.
 *
 * A turn is recorded with the Web Audio API, down-mixed and resampled to 16 kHz, encoded as a WAV
 * file and posted; the server answers with actions (play audio, stop, transfer, hang up) like a
 * telephone channel gets. What people said is shown with textContent, never as HTML.
 */
(function () {
  "use strict";

  var root = document.getElementById("callbot");
  if (!root) {
    return;
  }
  var strings = JSON.parse(document.getElementById("callbot-strings").textContent);
  var english = (document.documentElement.lang || "vi").slice(0, 2) === "en";
  var csrf = root.querySelector("input[name=csrfmiddlewaretoken]").value;
  var callButton = document.getElementById("callbot-call");
  var talkButton = document.getElementById("callbot-talk");
  var hangupButton = document.getElementById("callbot-hangup");
  var keys = root.querySelectorAll(".callbot__key");
  var statusBox = document.getElementById("callbot-status");
  var errorBox = document.getElementById("callbot-error");
  var log = document.getElementById("callbot-log");
  var player = document.getElementById("callbot-audio");
  var RATE = 16000;
  var MAX_SECONDS = 60;

  var sessionId = null;
  var queue = [];
  var playing = false;
  var recorder = null;
  var busy = false;

  function say(kind, text) {
    var item = document.createElement("li");
    item.className = kind;
    var who = document.createElement("strong");
    who.textContent = (kind === "caller" ? strings.you : kind === "bot" ? strings.bot : strings.system) + ": ";
    item.appendChild(who);
    item.appendChild(document.createTextNode(text));
    log.appendChild(item);
    return item;
  }

  function status(text) {
    statusBox.textContent = text;
  }

  function showError(body) {
    var message = body && (english ? body.message_en : body.message_vi);
    errorBox.textContent = message || strings.failed;
    errorBox.hidden = false;
  }

  function setActive(active) {
    talkButton.disabled = !active;
    hangupButton.disabled = !active;
    callButton.disabled = active;
    keys.forEach(function (key) {
      key.disabled = !active;
    });
  }

  function playNext() {
    if (playing || !queue.length) {
      return;
    }
    playing = true;
    player.src = queue.shift();
    player.play().catch(function () {
      playing = false; // autoplay refused or no output device: the text is on the page anyway
      playNext();
    });
  }
  player.addEventListener("ended", function () {
    playing = false;
    playNext();
  });

  function stopPlayback() {
    queue = [];
    player.pause();
    playing = false;
  }

  function handle(body) {
    errorBox.hidden = true;
    sessionId = body.session_id || sessionId;
    (body.heard || []).forEach(function (text) {
      say("caller", text);
    });
    (body.actions || []).forEach(function (action) {
      if (action.type === "play") {
        say("bot", action.text);
        queue.push(action.audio);
      } else if (action.type === "stop") {
        stopPlayback();
      } else if (action.type === "transfer") {
        say("system", action.queue === "emergency" ? strings.emergency : strings.officer);
      } else if (action.type === "hangup") {
        say("system", strings.ended);
      }
    });
    playNext();
    root.dataset.intent = body.intent || "";
    root.dataset.outcome = body.outcome || "";
    if (body.ended) {
      sessionId = null;
      setActive(false);
      status(strings.ended);
    } else {
      status(strings.ready);
    }
  }

  function post(url, data) {
    busy = true;
    status(strings.waiting);
    return fetch(url, {
      method: "POST",
      body: data,
      headers: { "X-CSRFToken": csrf },
      credentials: "same-origin",
    })
      .then(function (response) {
        return response.json().then(function (body) {
          if (!response.ok) {
            showError(body);
            if (response.status === 404) {
              sessionId = null;
              setActive(false);
            }
            return;
          }
          handle(body);
        });
      })
      .catch(function () {
        showError(null);
      })
      .finally(function () {
        busy = false;
      });
  }

  function url(name) {
    return root.dataset[name].replace("CALL", encodeURIComponent(sessionId));
  }

  callButton.addEventListener("click", function () {
    var data = new FormData();
    data.append("voice", document.getElementById("callbot-voice").value);
    log.textContent = "";
    setActive(true);
    post(root.dataset.startUrl, data);
  });

  hangupButton.addEventListener("click", function () {
    if (!sessionId) {
      return;
    }
    stopPlayback();
    post(url("hangupUrl"), new FormData()).then(function () {
      sessionId = null;
      setActive(false);
    });
  });

  keys.forEach(function (key) {
    key.addEventListener("click", function () {
      if (!sessionId || busy) {
        return;
      }
      stopPlayback();
      var data = new FormData();
      data.append("digit", key.dataset.digit);
      say("caller", strings.key + " " + key.dataset.digit);
      post(url("dtmfUrl"), data);
    });
  });

  // --- recording a turn ------------------------------------------------------------------------------

  function startRecording() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      showError({ message_vi: strings.no_microphone, message_en: strings.no_microphone });
      return;
    }
    stopPlayback(); // barge-in: the caller speaks over the callbot
    navigator.mediaDevices
      .getUserMedia({ audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true } })
      .then(function (stream) {
        var context = new (window.AudioContext || window.webkitAudioContext)();
        var source = context.createMediaStreamSource(stream);
        var processor = context.createScriptProcessor(4096, 1, 1);
        var chunks = [];
        processor.onaudioprocess = function (event) {
          chunks.push(new Float32Array(event.inputBuffer.getChannelData(0)));
        };
        source.connect(processor);
        processor.connect(context.destination);
        recorder = { stream: stream, context: context, processor: processor, chunks: chunks, started: Date.now() };
        recorder.timer = window.setTimeout(stopRecording, MAX_SECONDS * 1000);
        talkButton.setAttribute("aria-pressed", "true");
        talkButton.textContent = strings.send;
        status(strings.listening);
      })
      .catch(function () {
        showError({ message_vi: strings.no_microphone, message_en: strings.no_microphone });
      });
  }

  function stopRecording() {
    if (!recorder) {
      return;
    }
    var current = recorder;
    recorder = null;
    window.clearTimeout(current.timer);
    current.processor.disconnect();
    current.stream.getTracks().forEach(function (track) {
      track.stop();
    });
    var wav = encodeWav(current.chunks, current.context.sampleRate);
    current.context.close();
    talkButton.setAttribute("aria-pressed", "false");
    talkButton.textContent = strings.talk;
    var data = new FormData();
    data.append("audio", new Blob([wav], { type: "audio/wav" }), "turn.wav");
    post(url("turnUrl"), data);
  }

  talkButton.addEventListener("click", function () {
    if (recorder) {
      stopRecording();
    } else if (sessionId && !busy) {
      startRecording();
    }
  });

  function encodeWav(chunks, rate) {
    var length = chunks.reduce(function (sum, chunk) {
      return sum + chunk.length;
    }, 0);
    var samples = new Float32Array(length);
    var offset = 0;
    chunks.forEach(function (chunk) {
      samples.set(chunk, offset);
      offset += chunk.length;
    });
    // Linear interpolation to 16 kHz; the server resamples properly, this only keeps uploads small.
    var ratio = rate / RATE;
    var count = Math.floor(samples.length / ratio);
    var buffer = new ArrayBuffer(44 + count * 2);
    var view = new DataView(buffer);
    function text(at, value) {
      for (var i = 0; i < value.length; i++) {
        view.setUint8(at + i, value.charCodeAt(i));
      }
    }
    text(0, "RIFF");
    view.setUint32(4, 36 + count * 2, true);
    text(8, "WAVE");
    text(12, "fmt ");
    view.setUint32(16, 16, true);
    view.setUint16(20, 1, true);
    view.setUint16(22, 1, true);
    view.setUint32(24, RATE, true);
    view.setUint32(28, RATE * 2, true);
    view.setUint16(32, 2, true);
    view.setUint16(34, 16, true);
    text(36, "data");
    view.setUint32(40, count * 2, true);
    for (var i = 0; i < count; i++) {
      var position = i * ratio;
      var index = Math.floor(position);
      var next = Math.min(index + 1, samples.length - 1);
      var value = samples[index] + (samples[next] - samples[index]) * (position - index);
      value = Math.max(-1, Math.min(1, value));
      view.setInt16(44 + i * 2, value < 0 ? value * 0x8000 : value * 0x7fff, true);
    }
    return buffer;
  }
})();
