// The tracking pages' service worker: shows the "Sắp đến lượt" push notice and opens
// the ticket's page when it is tapped.
self.addEventListener("push", function (event) {
  var data = {};
  try { data = event.data ? event.data.json() : {}; } catch (e) { data = {}; }
  event.waitUntil(self.registration.showNotification(data.title || "Sắp đến lượt", {
    body: data.body || "",
    tag: "qms-near",
    renotify: true,
    requireInteraction: true,
    vibrate: [300, 150, 300],
    data: { url: data.url || "/" },
  }));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  event.waitUntil(self.clients.openWindow(event.notification.data.url));
});
