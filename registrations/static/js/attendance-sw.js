// Service worker of the office's pages: the attendance sheet and check-in open without a network.
//
// - Static files (their addresses carry a content hash, "?v=") are answered from the cache, else
//   fetched and kept.
// - The pages of a day's sheet and of check-in are fetched from the network when there is one
//   (and the copy kept), else answered from the copy.
// - Everything else goes to the network untouched.
// Marks made offline are not kept here but in IndexedDB by the page (see offline.js).
"use strict";

var STATIC_CACHE = "attendance-static-v1";
var PAGE_CACHE = "attendance-pages-v1";
var KEPT_PAGE = /\/manage\/sessions\/\d+\/(attendance\/\d+|checkin|kiosk)(\?.*)?$/;

self.addEventListener("install", function () {
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(self.clients.claim());
});

function fromCacheFirst(request) {
  return caches.open(STATIC_CACHE).then(function (cache) {
    return cache.match(request).then(function (found) {
      if (found) {
        return found;
      }
      return fetch(request).then(function (response) {
        if (response.ok) {
          cache.put(request, response.clone());
        }
        return response;
      });
    });
  });
}

function fromNetworkFirst(request) {
  return caches.open(PAGE_CACHE).then(function (cache) {
    return fetch(request).then(function (response) {
      if (response.ok && !response.redirected) {
        cache.put(request, response.clone());
      }
      return response;
    }).catch(function () {
      return cache.match(request, {ignoreVary: true}).then(function (found) {
        return found || Response.error();
      });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") {
    return;
  }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) {
    return;
  }
  if (url.pathname.indexOf("/static/") !== -1) {
    event.respondWith(fromCacheFirst(request));
  } else if (request.mode === "navigate" && KEPT_PAGE.test(url.pathname + url.search)) {
    event.respondWith(fromNetworkFirst(request));
  }
});
