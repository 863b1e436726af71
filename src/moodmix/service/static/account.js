// moodmix: the signed-in listener in the header. Asks GET /v1/me once; shows "Sign in with
// Spotify" or the listener's name with "Sign out", and tells the page (moodmixAccount.me).
"use strict";

window.moodmixAccount = (function () {
  const box = document.getElementById("account");
  const ready = (async function () {
    if (!box) return null;
    const r = await fetch("/v1/me", { credentials: "same-origin" });
    if (!r.ok) return null;
    const me = await r.json();
    document.getElementById("who").textContent = me.display_name || me.id;
    document.getElementById("sign-in").hidden = true;
    document.getElementById("signed-in").hidden = false;
    return me;
  })().catch(() => null);
  if (box) {
    document.getElementById("sign-out").addEventListener("click", async () => {
      await fetch("/auth/logout", { method: "POST", credentials: "same-origin" });
      window.location.reload();
    });
  }
  return { me: ready };
})();
