// The simulator's chat: Enter sends the text box to /admin/simulator/send and shows the reply as a bubble.
(function () {
  "use strict";
  var phone = document.querySelector(".phone");
  var chat = document.getElementById("chat");
  var input = document.getElementById("message");

  function bubble(text, who) {
    var node = document.createElement("div");
    node.className = "bubble " + who;
    node.textContent = text;
    chat.appendChild(node);
    chat.scrollTop = chat.scrollHeight;
    return node;
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": phone.dataset.csrf},
      body: JSON.stringify(body || {})
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) { throw new Error(data.error || ("HTTP " + response.status)); }
        return data;
      });
    });
  }

  // The page says at load whether replies come from the last good content; say so again when that changes.
  function staleness(data) {
    var error = data.content_error || "";
    if (error === phone.dataset.contentError) { return; }
    phone.dataset.contentError = error;
    bubble(error ? phone.dataset.stale + error : "磁盘上的内容已通过检查，现在的回答来自内容版本 " + data.content_version, "system");
  }

  function exchange(body) {
    return post(phone.dataset.send, body).then(function (data) {
      staleness(data);
      bubble(data.reply || "（没有回复）", data.reply ? "bot" : "system");
    }).catch(function (error) {
      bubble("发送失败：" + error.message, "system");
    });
  }

  document.getElementById("composer").addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) { return; }
    input.value = "";
    bubble(text, "user");
    exchange({text: text});
  });

  document.getElementById("follow").addEventListener("click", function () {
    bubble("（关注公众号）", "system");
    exchange({event: "subscribe"});
  });

  document.getElementById("reset").addEventListener("click", function () {
    post(phone.dataset.reset).then(function (data) {
      chat.textContent = "";
      document.getElementById("openid").textContent = data.openid;
      bubble("已换成一个新用户", "system");
    }).catch(function (error) { bubble("操作失败：" + error.message, "system"); });
  });

  input.focus();
})();
