//! The exam-room record's entries as sentences in Chinese, the way the room page words them
//! (proctor.js): a kind and what happened.
use serde_json::Value;

fn media_name(track: &str) -> &str {
    match track {
        "camera" => "摄像头",
        "microphone" => "麦克风",
        "screen" => "屏幕共享",
        other => other,
    }
}

fn integrity_name(kind: &str) -> &str {
    match kind {
        "page_hidden" => "离开考试页面",
        "window_blur" => "切换到其他窗口",
        "fullscreen_exit" => "退出全屏",
        "copy_paste" => "尝试复制或粘贴",
        "second_sign_in" => "在另一设备登录",
        "reload" => "刷新了考试页面",
        other => other,
    }
}

/// The kind's name and the sentence for one event.
pub fn sentence(kind: &str, detail: &str) -> (&'static str, String) {
    let d: Value = serde_json::from_str(detail).unwrap_or(Value::Null);
    let s = |k: &str| d.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    match kind {
        "signed_in" => ("登录", "登录考试".into()),
        "second_sign_in" => ("重复登录", "在另一设备登录".into()),
        "commitment" => ("承诺书", "签署考试承诺书".into()),
        "started" => ("开始答题", "开始答题".into()),
        "media_up" => ("音视频", format!("{}已连接", media_name(&s("track")))),
        "media_down" => ("音视频", format!("{}断开", media_name(&s("track")))),
        "media_failed" => ("音视频", "音视频连接失败".into()),
        "media_closed" => ("音视频", "音视频连接已关闭".into()),
        "integrity" => ("异常行为", integrity_name(&s("kind")).to_string()),
        "reload" => ("刷新页面", "刷新了考试页面".into()),
        "pause" => ("暂停", format!("被监考人员暂停，原因：{}", s("reason"))),
        "resume" => ("恢复", "恢复答题".into()),
        "extra_time" => ("延时", format!("延长 {} 分钟，原因：{}", d.get("minutes").and_then(Value::as_i64).unwrap_or(0), s("reason"))),
        "warning" => ("提醒", format!("收到监考提醒：“{}”", s("text"))),
        "note" => ("记录", format!("监考记录：{}", s("text"))),
        "handed_in" if s("reason") == "time_over" => ("交卷", "考试时间到，自动交卷".into()),
        "handed_in" => ("交卷", "交卷".into()),
        "terminated" => ("终止", format!("考试被终止，原因：{}", s("reason"))),
        "device_change_requested" => ("更换设备", "申请更换设备".into()),
        "device_approved" => ("更换设备", "监考人员批准更换设备".into()),
        "sign_in_cleared" => ("登录限制", "监考人员解除登录限制".into()),
        "photo_taken" => ("人证核验", "拍摄本人照片".into()),
        "finding" => {
            let conclusion = match s("conclusion").as_str() {
                "no_issue" => "未发现问题",
                "suspected" => "疑似违纪",
                "violation" => "确认违纪",
                other => return ("复核结论", format!("复核（{other}）：{}", s("seen"))),
            };
            ("复核结论", format!("复核（{conclusion}）：{}", s("seen")))
        }
        "identity_checked" if d.get("matches").and_then(Value::as_bool) == Some(true) => ("人证核验", "人证核验：一致".into()),
        "identity_checked" => ("人证核验", format!("人证核验：不一致（{}）", s("note"))),
        _ => ("其他", kind.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_read_as_sentences() {
        assert_eq!(sentence("pause", r#"{"reason":"网络中断"}"#).1, "被监考人员暂停，原因：网络中断");
        assert_eq!(sentence("media_down", r#"{"track":"camera"}"#).1, "摄像头断开");
        assert_eq!(sentence("handed_in", r#"{"reason":"time_over"}"#).1, "考试时间到，自动交卷");
        assert_eq!(sentence("something_new", "{}").0, "其他");
    }
}
