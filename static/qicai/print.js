// The print view's 打印 button: shown and wired only when scripts run (no inline script: strict CSP).
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () {
    window.print();
  });
});
