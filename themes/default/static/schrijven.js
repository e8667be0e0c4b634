// Live validation of the writing form (/schrijven): the same check as the
// Controleren button, as you type, shown beside each field. Without this
// script the form works the same, one check per submit.
"use strict";
(function () {
  const form = document.querySelector("form.tk-schrijven");
  if (!form || !window.fetch) return;
  let timer = null;
  let busy = false;
  const label = document.documentElement.lang === "en" ? { error: "Error", warning: "Note" } : { error: "Fout", warning: "Let op" };

  function show(findings) {
    const byField = new Map();
    for (const f of findings) {
      if (!byField.has(f.veld)) byField.set(f.veld, []);
      byField.get(f.veld).push(f);
    }
    for (const box of form.querySelectorAll(".tk-fout")) {
      const field = box.id.replace(/^fout-/, "");
      const list = byField.get(field) || [];
      box.replaceChildren();
      for (const f of list) {
        const p = document.createElement("p");
        p.className = "utrecht-form-field-error-message tk-fout__bericht tk-fout__bericht--" + f.ernst;
        const strong = document.createElement("strong");
        strong.textContent = (f.ernst === "error" ? label.error : label.warning) + ":";
        p.append(strong, " " + f.bericht);
        box.append(p);
      }
      box.hidden = list.length === 0;
      const input = document.getElementById(field);
      if (input) {
        if (list.some((f) => f.ernst === "error")) input.setAttribute("aria-invalid", "true");
        else input.removeAttribute("aria-invalid");
      }
    }
  }

  async function check() {
    if (busy) return;
    busy = true;
    try {
      const body = new URLSearchParams(new FormData(form));
      const res = await fetch("/api/v1/schrijven/controle", { method: "POST", body, headers: { "content-type": "application/x-www-form-urlencoded" } });
      if (res.ok) show((await res.json()).bevindingen || []);
    } catch (e) {
      // Live checking is a help; the button still checks on the server.
    } finally {
      busy = false;
    }
  }

  form.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(check, 700);
  });
  form.addEventListener("change", () => {
    clearTimeout(timer);
    timer = setTimeout(check, 200);
  });
})();
