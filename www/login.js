// The server sets the session cookie's Path from where this page really is,
// which only the browser knows (portico may sit behind a path prefix).
document.getElementById("href").value = location.href;
