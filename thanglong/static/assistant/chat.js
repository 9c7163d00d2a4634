/* Thăng Long — the citizens' chat with the virtual assistant.
 *
 * Progressive enhancement of assistant/chat.html: without this script the form posts to the page and
 * the server renders the conversation. With it, questions go to POST /api/v1/assistant/ask as JSON and
 * answers are appended to the log. Everything a person or the assistant wrote is put on the page with
 * textContent, never innerHTML: a question or answer containing HTML shows as text and never runs.
 */
(function () {
  "use strict";

  var root = document.getElementById("assistant-chat");
  if (!root) {
    return;
  }
  var STORAGE_KEY = "thanglong.assistant.session";
  var strings = JSON.parse(document.getElementById("assistant-strings").textContent);
  var english = (document.documentElement.lang || "vi").slice(0, 2) === "en";
  var log = document.getElementById("chat-log");
  var form = document.getElementById("chat-form");
  var textarea = document.getElementById("chat-question");
  var sendButton = form.querySelector("button[type=submit]");
  var errorBox = document.getElementById("chat-error");
  var statusBox = document.getElementById("chat-status");
  var handoffForm = document.getElementById("chat-handoff");
  var busy = false;

  function readSession() {
    try {
      return window.sessionStorage.getItem(STORAGE_KEY) || root.dataset.sessionId || null;
    } catch (error) {
      return root.dataset.sessionId || null; // storage disabled (private mode in some browsers)
    }
  }

  function saveSession(sessionId) {
    root.dataset.sessionId = sessionId;
    try {
      window.sessionStorage.setItem(STORAGE_KEY, sessionId);
    } catch (error) {
      /* the conversation still continues while the page stays open */
    }
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined && text !== null) {
      node.textContent = String(text);
    }
    return node;
  }

  function bilingual(body, fallback) {
    if (body && typeof body === "object") {
      var message = english ? body.message_en : body.message_vi;
      if (typeof message === "string" && message) {
        return message;
      }
    }
    return fallback;
  }

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = !message;
  }

  function scrollToEnd() {
    log.scrollTop = log.scrollHeight;
  }

  function removeWelcome() {
    var welcome = log.querySelector(".chat__welcome");
    if (welcome) {
      welcome.remove();
    }
  }

  function postJson(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body),
    }).then(function (response) {
      return response
        .json()
        .catch(function () {
          return null;
        })
        .then(function (data) {
          return { ok: response.ok, status: response.status, data: data };
        });
    });
  }

  function procedureUrl(code) {
    return root.dataset.procedureUrl + encodeURIComponent(code) + "/";
  }

  function ratingButtons(turnId) {
    var box = element("div", "chat-message__rating");
    box.dataset.turnId = String(turnId);
    [
      ["1", "👍", strings.helpful],
      ["-1", "👎", strings.unhelpful],
    ].forEach(function (spec) {
      var button = element("button", "chat-rate", spec[1]);
      button.type = "button";
      button.dataset.rating = spec[0];
      button.setAttribute("aria-pressed", "false");
      button.setAttribute("aria-label", spec[2]);
      box.appendChild(button);
    });
    return box;
  }

  function appendUserMessage(text) {
    removeWelcome();
    var message = element("div", "chat-message chat-message--user");
    message.appendChild(element("p", "chat-message__who", strings.you));
    message.appendChild(element("p", "chat-message__text", text));
    log.appendChild(message);
    scrollToEnd();
  }

  function appendSystemMessage(text) {
    var message = element("div", "chat-message chat-message--system");
    message.appendChild(element("p", "chat-message__text", text));
    log.appendChild(message);
    scrollToEnd();
  }

  function appendAnswer(reply) {
    var message = element("div", "chat-message chat-message--assistant");
    if (reply.emergency) {
      message.classList.add("chat-message--emergency");
    }
    if (reply.lang) {
      message.lang = reply.lang;
    }
    message.appendChild(element("p", "chat-message__who", strings.assistant));
    message.appendChild(element("p", "chat-message__text", reply.answer));

    if (reply.emergency) {
      var call = element("a", "button chat-message__call", strings.call113);
      call.href = "tel:113";
      message.appendChild(call);
    }

    var citations = Array.isArray(reply.citations) ? reply.citations : [];
    if (citations.length) {
      var sources = element("div", "chat-message__sources");
      sources.appendChild(element("p", "", strings.sources + ":"));
      var list = element("ul");
      citations.forEach(function (citation) {
        var item = element("li");
        if (citation.procedure_code) {
          var link = element("a", "", citation.procedure_name || citation.procedure_code);
          link.href = procedureUrl(citation.procedure_code);
          item.appendChild(link);
        } else {
          item.appendChild(document.createTextNode(citation.procedure_name || ""));
        }
        if (citation.legal_document) {
          var legal = " — " + citation.legal_document + (citation.article ? ", " + citation.article : "");
          item.appendChild(document.createTextNode(legal));
        }
        list.appendChild(item);
      });
      sources.appendChild(list);
      message.appendChild(sources);
    }

    var choices = Array.isArray(reply.choices) ? reply.choices : [];
    if (reply.needs_clarification && choices.length) {
      var group = element("div", "chat-choices");
      group.appendChild(element("p", "chat-choices__label", strings.choose));
      choices.forEach(function (choice) {
        var button = element("button", "button button--quiet chat-choice", choice.name);
        button.type = "button";
        button.dataset.choice = choice.name;
        group.appendChild(button);
      });
      message.appendChild(group);
    }

    if (reply.handoff_suggested) {
      var officer = element("button", "button button--quiet chat-message__officer", strings.talkToOfficer);
      officer.type = "button";
      officer.dataset.action = "handoff";
      message.appendChild(officer);
    }

    if (reply.turn_id) {
      message.appendChild(ratingButtons(reply.turn_id));
    }
    log.appendChild(message);
    scrollToEnd();
  }

  function ask(question) {
    var text = (question || "").trim();
    if (!text) {
      showError(strings.empty);
      textarea.focus();
      return;
    }
    if (busy) {
      return;
    }
    busy = true;
    showError("");
    sendButton.disabled = true;
    statusBox.textContent = strings.thinking;
    appendUserMessage(text);
    postJson(root.dataset.askUrl, { question: text, session_id: readSession(), lang: null })
      .then(function (result) {
        if (result.ok && result.data) {
          saveSession(result.data.session_id);
          appendAnswer(result.data);
        } else {
          appendSystemMessage(bilingual(result.data, strings.network));
        }
      })
      .catch(function () {
        appendSystemMessage(strings.network);
      })
      .then(function () {
        busy = false;
        sendButton.disabled = false;
        statusBox.textContent = "";
      });
  }

  function rate(button) {
    var box = button.closest(".chat-message__rating");
    var sessionId = readSession();
    if (!box || !sessionId) {
      return;
    }
    // The page carries the URL of turn 0; put this turn's id in its place.
    var url = root.dataset.ratingUrl.replace(/\/0\/rating$/, "/" + encodeURIComponent(box.dataset.turnId) + "/rating");
    var value = parseInt(button.dataset.rating, 10);
    postJson(url, { session_id: sessionId, rating: value }).then(function (result) {
      if (!result.ok) {
        return;
      }
      box.querySelectorAll(".chat-rate").forEach(function (other) {
        other.setAttribute("aria-pressed", other === button ? "true" : "false");
      });
      statusBox.textContent = strings.rated;
    });
  }

  function requestHandoff() {
    var sessionId = readSession();
    if (!sessionId) {
      appendSystemMessage(strings.askFirst);
      return;
    }
    var contact = handoffForm.querySelector("[name=contact]");
    postJson(root.dataset.handoffUrl, { session_id: sessionId, contact: contact ? contact.value : "" })
      .then(function (result) {
        appendSystemMessage(bilingual(result.data, strings.network));
      })
      .catch(function () {
        appendSystemMessage(strings.network);
      });
  }

  // The server-rendered turns' rating buttons only work with this script: show them now.
  log.querySelectorAll(".chat-message__rating[hidden]").forEach(function (box) {
    box.hidden = false;
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = textarea.value;
    if (text.trim()) {
      textarea.value = "";
    }
    ask(text);
  });

  textarea.addEventListener("keydown", function (event) {
    // Enter sends, Shift+Enter is a new line. While an input method is composing (Vietnamese Telex or
    // VNI keyboards on some systems, or any IME), Enter belongs to the IME, not to us.
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault();
      if (typeof form.requestSubmit === "function") {
        form.requestSubmit();
      } else {
        form.dispatchEvent(new Event("submit", { cancelable: true }));
      }
    }
  });

  log.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (!target) {
      return;
    }
    var choice = target.closest("[data-choice]");
    if (choice) {
      event.preventDefault();
      ask(choice.dataset.choice);
      return;
    }
    var rating = target.closest(".chat-rate");
    if (rating) {
      rate(rating);
      return;
    }
    if (target.closest("[data-action=handoff]")) {
      var contact = handoffForm.querySelector("[name=contact]");
      handoffForm.scrollIntoView({ block: "nearest" });
      if (contact) {
        contact.focus();
      }
    }
  });

  handoffForm.addEventListener("submit", function (event) {
    event.preventDefault();
    requestHandoff();
  });

  scrollToEnd();
})();
