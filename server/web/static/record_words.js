// The exam-room record's entries in the reader's language: each kind's name (for filters) and
// the sentence it reads as. Shared by the room page and review playback.
import { MEDIA_NAMES, t } from "./common.js";

// A reviewer's conclusions: [Chinese, English].
export const FINDING = { no_issue: ["未发现问题", "no issue"], suspected: ["疑似违纪", "suspected"], violation: ["确认违纪", "violation"] };

export const INTEGRITY = {
  page_hidden: t("离开考试页面", "left the test page"), window_blur: t("切换到其他窗口", "switched to another window"),
  fullscreen_exit: t("退出全屏", "left full screen"), copy_paste: t("尝试复制或粘贴", "tried to copy or paste"),
  second_sign_in: t("在另一设备登录", "signed in on another device"), reload: t("刷新了考试页面", "reloaded the test page"),
};

// Each kind of record entry: its name (for the filter) and the sentence it reads as.
export const KINDS = {
  signed_in: [t("登录", "Sign-in"), () => t("登录考试", "signed in")],
  second_sign_in: [t("重复登录", "Second sign-in"), () => t("在另一设备登录", "signed in on another device")],
  commitment: [t("承诺书", "Commitment"), () => t("签署考试承诺书", "accepted the commitment letter")],
  started: [t("开始答题", "Start"), () => t("开始答题", "started the test")],
  media_up: [t("音视频", "Media"), (d) => t(`${MEDIA_NAMES[d.track] || d.track}已连接`, `${MEDIA_NAMES[d.track] || d.track} connected`)],
  media_down: [t("音视频", "Media"), (d) => t(`${MEDIA_NAMES[d.track] || d.track}断开`, `${MEDIA_NAMES[d.track] || d.track} disconnected`)],
  media_failed: [t("音视频", "Media"), () => t("音视频连接失败", "media connection failed")],
  media_closed: [t("音视频", "Media"), () => t("音视频连接已关闭", "media connection closed")],
  integrity: [t("异常行为", "Integrity"), (d) => INTEGRITY[d.kind] || d.kind],
  reload: [t("刷新页面", "Reload"), () => INTEGRITY.reload],
  pause: [t("暂停", "Pause"), (d) => t(`被监考人员暂停，原因：${d.reason}`, `paused by the proctor: ${d.reason}`)],
  resume: [t("恢复", "Resume"), () => t("恢复答题", "resumed")],
  extra_time: [t("延时", "Extra time"), (d) => t(`延长 ${d.minutes} 分钟，原因：${d.reason}`, `given ${d.minutes} more minutes: ${d.reason}`)],
  warning: [t("提醒", "Warning"), (d) => t(`收到监考提醒：“${d.text}”`, `warned: "${d.text}"`)],
  note: [t("记录", "Note"), (d) => t(`监考记录：${d.text}`, `note: ${d.text}`)],
  handed_in: [t("交卷", "Hand-in"), (d) => (d.reason === "time_over" ? t("考试时间到，自动交卷", "handed in automatically at the deadline") : t("交卷", "handed in"))],
  terminated: [t("终止", "Termination"), (d) => t(`考试被终止，原因：${d.reason}`, `test terminated: ${d.reason}`)],
  device_change_requested: [t("更换设备", "Device"), () => t("申请更换设备", "asked to change device")],
  device_approved: [t("更换设备", "Device"), () => t("监考人员批准更换设备", "device change approved")],
  sign_in_cleared: [t("登录限制", "Sign-in"), () => t("监考人员解除登录限制", "sign-in limit cleared")],
  photo_taken: [t("人证核验", "Identity"), () => t("拍摄本人照片", "took their photo")],
  viewing: [t("查看题目", "Question"), (d) => t(`查看第 ${d.no} 题`, `looked at question ${d.no}`)],
  finding: [t("复核结论", "Finding"), (d) => t(`复核（${FINDING[d.conclusion] ? FINDING[d.conclusion][0] : d.conclusion}）：${d.seen}`, `review (${FINDING[d.conclusion] ? FINDING[d.conclusion][1] : d.conclusion}): ${d.seen}`)],
  identity_checked: [t("人证核验", "Identity"), (d) => (d.matches ? t("人证核验：一致", "identity checked: matches") : t(`人证核验：不一致（${d.note}）`, `identity checked: does NOT match (${d.note})`))],
};

export function sentence(e) {
  let d = {};
  try { d = JSON.parse(e.detail || "{}") || {}; } catch (_) { d = {}; }
  const k = KINDS[e.kind];
  return k ? k[1](d) : e.kind;
}
