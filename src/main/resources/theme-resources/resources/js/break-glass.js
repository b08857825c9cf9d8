/* Break-glass login pages: two small fixes that need the DOM. Loaded by the break-glass templates
   and by the breakglass login theme; nothing here is needed for a page to work without JavaScript. */
(function () {
  if (window.breakGlassPageScript) {
    return;
  }
  window.breakGlassPageScript = true;

  document.addEventListener("DOMContentLoaded", function () {
    labelTheAttemptedUsername();
    pausableWaitingCheck();
  });

  /* keycloak.v2 shows the user being signed in as a read-only field (#kc-attempted-username) whose
     label points at "username", an id no element has on these pages: give the field its label. */
  function labelTheAttemptedUsername() {
    var field = document.getElementById("kc-attempted-username");
    var label = document.querySelector('label[for="username"]');
    if (field && label && !document.getElementById("username")) {
      label.htmlFor = field.id;
    }
  }

  /* The waiting page checks again by itself (without JavaScript: its meta refresh). Each check
     reloads the page, which sends a screen reader back to the top, so a person can pause it. */
  function pausableWaitingCheck() {
    var wait = document.getElementById("bg-wait");
    var check = document.getElementById("bg-wait-check");
    var pause = document.getElementById("bg-wait-pause");
    if (!wait || wait.getAttribute("data-state") !== "waiting" || !check || !pause) {
      return;
    }
    var seconds = Number(wait.getAttribute("data-refresh-seconds")) || 5;
    var timer = null;
    function start() {
      timer = window.setTimeout(function () {
        window.location.replace(check.href);
      }, seconds * 1000);
    }
    pause.hidden = false;
    pause.addEventListener("click", function () {
      var paused = pause.getAttribute("aria-pressed") === "true";
      if (paused) {
        start();
      } else {
        window.clearTimeout(timer);
      }
      pause.setAttribute("aria-pressed", String(!paused));
    });
    start();
  }
})();
