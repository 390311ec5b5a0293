// The briefing sheet's "Print" button (a script file of its own: the pages' CSP allows no inline script).
document.getElementById("print").addEventListener("click", function () { window.print(); });
