// Service worker of the offline verifier (scope /verify/scan): every request of the page goes to
// the network first and is kept; without a network the kept copy answers.
var CACHE = "verify-scan-v1";
var PAGE = "/verify/scan";

self.addEventListener("install", function () {
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(self.clients.claim());
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) {
    return;
  }
  event.respondWith(
    fetch(request).then(function (response) {
      if (response.ok && response.type === "basic") {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { return cache.put(request, copy); });
      }
      return response;
    }).catch(function () {
      return caches.match(request, {ignoreVary: true}).then(function (found) {
        if (found) {
          return found;
        }
        if (request.mode === "navigate") {
          return caches.match(PAGE, {ignoreSearch: true, ignoreVary: true}).then(function (page) {
            return page || Response.error();
          });
        }
        return Response.error();
      });
    })
  );
});
