/* The planning board: draws each day at its time scale, and moves shows by drag and drop, by click
   or by keyboard (Enter on a show, then Enter on a slot; Escape lets go).
   Every move is checked by the server with the same rules as the forms; the board is then redrawn
   from the server's page, so what is shown is always what is saved. Without this script the page
   is a list of slots with their forms. */
(function () {
  "use strict";
  var root = document.getElementById("board");
  if (!root) { return; }
  var editable = root.dataset.editable === "1";
  var statusBox = document.getElementById("board-status");
  var dialog = document.getElementById("board-dialog");
  var undoBox = document.querySelector(".board-undo");
  var undoButton = document.getElementById("board-undo");
  var selected = null;   // {registration, fromSlot, element}
  var lastUndo = null;
  var busy = false;

  function layout() {
    root.classList.add("board-on");
    root.querySelectorAll(".board-day").forEach(function (day) {
      var first = Number(day.dataset.first), last = Number(day.dataset.last);
      var scale = Number(day.dataset.scale);
      var height = (last - first) * scale + "px";
      day.querySelectorAll(".venue-track").forEach(function (track) {
        track.style.height = height;
        track.style.setProperty("--hour", 60 * scale + "px");
      });
      day.querySelectorAll("[data-start]").forEach(function (item) {
        item.style.top = (Number(item.dataset.start) - first) * scale + "px";
        if (item.dataset.minutes) { item.style.height = Number(item.dataset.minutes) * scale + "px"; }
      });
      day.querySelectorAll(".margin").forEach(function (margin) {
        margin.style.height = Number(margin.dataset.minutes) * scale + "px";
      });
    });
    var returner = root.querySelector(".board-return");
    if (returner) { returner.hidden = !(selected && selected.fromSlot); }
  }

  function say(text, isError) {
    statusBox.textContent = text;
    statusBox.classList.toggle("error", Boolean(isError));
  }

  function select(element) {
    clearSelection();
    selected = {
      registration: element.dataset.registration,
      fromSlot: element.dataset.fromSlot || null,
      element: element
    };
    element.classList.add("selected");
    element.setAttribute("aria-pressed", "true");
    root.classList.add("choosing");
    var title = element.querySelector("strong") || element;
    say(root.dataset.msgPick.replace("{show}", title.firstChild.textContent.trim()));
    layout();
  }

  function clearSelection() {
    if (selected && selected.element) {
      selected.element.classList.remove("selected");
      selected.element.setAttribute("aria-pressed", "false");
    }
    selected = null;
    root.classList.remove("choosing");
    var returner = root.querySelector(".board-return");
    if (returner) { returner.hidden = true; }
  }

  function refresh(focusSlot) {
    return fetch(window.location.href, { headers: { "Accept": "text/html" }, credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("board");
        if (fresh) { root.innerHTML = fresh.innerHTML; }
        selected = null;
        root.classList.remove("choosing");
        layout();
        if (focusSlot) {
          var target = root.querySelector('[data-slot="' + focusSlot + '"]');
          if (target) { target.focus(); }
        }
      });
  }

  function post(move) {
    return fetch(root.dataset.movesUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": root.dataset.csrf, "Accept": "application/json" },
      body: JSON.stringify(move)
    }).then(function (response) {
      return response.json().catch(function () { return { message: response.statusText }; })
        .then(function (body) { return { status: response.status, body: body }; });
    });
  }

  function send(move) {
    if (busy) { return; }
    busy = true;
    clearSelection();
    post(move).then(function (answer) {
      busy = false;
      if (answer.status === 200) {
        lastUndo = answer.body.undo || null;
        undoBox.hidden = !lastUndo;
        return refresh(move.slot_id).then(function () { say(answer.body.message); });
      }
      if (answer.status === 409) { return askOverride(move, answer.body); }
      say(answer.body.message || "Erreur", true);
      return null;
    }).catch(function () {
      busy = false;
      say(root.dataset.msgOffline, true);
    });
  }

  function askOverride(move, body) {
    var list = dialog.querySelector(".board-dialog-conflicts");
    list.innerHTML = "";
    body.conflicts.forEach(function (text) {
      var item = document.createElement("li");
      item.textContent = text;
      list.appendChild(item);
    });
    var target = root.querySelector('[data-slot="' + move.slot_id + '"]');
    if (target) { target.classList.add("refused"); }
    var override = dialog.querySelector(".board-override");
    var refused = dialog.querySelector(".board-refused");
    override.hidden = !body.overridable;
    refused.hidden = body.overridable;
    override.reason.value = "";
    dialog.querySelector(".board-reason-error").hidden = true;
    say(body.message, true);
    dialog.onclose = function () {
      if (target) { target.classList.remove("refused"); }
      if (dialog.returnValue === "override") {
        move.reason = override.reason.value.trim();
        send(move);
      }
    };
    dialog.showModal();
    (body.overridable ? override.reason : refused.querySelector("button")).focus();
  }

  dialog.querySelector(".board-override").addEventListener("submit", function (event) {
    var form = event.target;
    if (event.submitter && event.submitter.value === "override" && !form.reason.value.trim()) {
      event.preventDefault();
      dialog.querySelector(".board-reason-error").hidden = false;
      form.reason.focus();
    }
  });

  undoButton.addEventListener("click", function () {
    if (lastUndo) { send(lastUndo); }
  });

  function moveTo(slotId) {
    if (!selected) { return; }
    if (selected.fromSlot && String(selected.fromSlot) === String(slotId)) { clearSelection(); say(""); return; }
    send({
      registration_id: Number(selected.registration),
      slot_id: slotId ? Number(slotId) : null,
      from_slot_id: selected.fromSlot ? Number(selected.fromSlot) : null
    });
  }

  function movable(target) {
    return target.closest(".board-card[data-registration], .placed[data-registration][draggable]");
  }

  function activate(target) {
    if (!editable || target.closest("a, button:not(.board-return), input, select, textarea, label, form")) { return false; }
    var show = movable(target);
    var slot = target.closest("[data-target]");
    var waitingDrop = target.closest(".board-return");
    if (selected && waitingDrop) { moveTo(null); return true; }
    if (selected && slot && !(show && show === selected.element)) { moveTo(slot.dataset.slot); return true; }
    if (show) {
      if (selected && selected.element === show) { clearSelection(); say(""); } else { select(show); }
      return true;
    }
    return false;
  }

  root.addEventListener("click", function (event) {
    if (event.target.closest(".board-return")) { moveTo(null); return; }
    activate(event.target);
  });

  root.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && selected) { clearSelection(); say(""); return; }
    if (event.key !== "Enter" && event.key !== " ") { return; }
    if (event.target.closest("a, button, input, select, textarea")) { return; }
    var handled;
    var slot = event.target.closest("[data-target]");
    if (selected && slot && event.target === slot) {
      moveTo(slot.dataset.slot);
      handled = true;
    } else if (!selected && slot && event.target === slot && slot.querySelector(".placed[draggable]")) {
      select(slot.querySelector(".placed"));
      handled = true;
    } else {
      handled = activate(event.target);
    }
    if (handled) { event.preventDefault(); }
  });

  root.addEventListener("dragstart", function (event) {
    var show = movable(event.target);
    if (!show || !editable) { return; }
    select(show);
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", show.dataset.registration);
  });

  function dropZone(target) {
    return target.closest("[data-target], [data-drop='waiting']");
  }

  root.addEventListener("dragover", function (event) {
    var zone = dropZone(event.target);
    if (!zone || !selected) { return; }
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    root.querySelectorAll(".drop-here").forEach(function (el) { if (el !== zone) { el.classList.remove("drop-here"); } });
    zone.classList.add("drop-here");
  });

  root.addEventListener("dragleave", function (event) {
    var zone = dropZone(event.target);
    if (zone && !zone.contains(event.relatedTarget)) { zone.classList.remove("drop-here"); }
  });

  root.addEventListener("drop", function (event) {
    var zone = dropZone(event.target);
    if (!zone || !selected) { return; }
    event.preventDefault();
    zone.classList.remove("drop-here");
    if (zone.dataset.slot) { moveTo(zone.dataset.slot); }
    else if (selected.fromSlot) { moveTo(null); }
    else { clearSelection(); }
  });

  root.addEventListener("dragend", function () {
    if (!busy && selected) { clearSelection(); }
    root.querySelectorAll(".drop-here").forEach(function (el) { el.classList.remove("drop-here"); });
  });

  layout();
})();
