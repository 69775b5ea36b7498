//! The commitment letter's text: the same words the candidate accepts on the test page
//! (exam.js), which a test holds to.
pub const TEXT_ZH: &str = "本人自愿参加职业技能等级认定理论知识考试，承诺：所填报信息真实准确；独立完成考试，不替考、不作弊、不使用任何违规资料和设备；服从考务人员管理；考试全过程接受音视频监考并同意录像留存。如有违反，自愿承担取消成绩、记入诚信档案等后果。";
