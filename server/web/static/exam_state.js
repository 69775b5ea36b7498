// The candidate's test as this page holds it, shared by the exam page's modules.
// answers: what the page shows per question (saved or not); saved: per question the latest
// answer the server acknowledged ({seq, response}); pending: by seq, every answer not yet
// acknowledged; failed: per question, the last answer refused for good ({seq, error, message};
// inflight: seq → when it went out on the current socket, still waiting for its reply.
export const exam = {
  paper: null, answers: {}, saved: {}, failed: {}, flags: {}, current: 0, seq: 0, pending: {}, inflight: new Map(), socket: null,
  remainingMs: 0, clockAt: 0, paused: false, ended: false, signedOut: false, warned: {}, earliestHandIn: 0, serverOffset: 0,
  backoff: 0, retryTimer: null, retryReason: "", refocus: null,
};

