/**
 * The scripts the call benchmark runs in its pages (plain JavaScript, loaded
 * as strings: the bench is compiled without the DOM's types).
 *
 * PARLEY_CALLER: in alice's web client, click Call and wait for the first
 * remote video frame; PARLEY_ANSWERER: in bob's, press Accept as soon as it
 * shows (a user who answers at once). RAW: a bare WebRTC call between two
 * plain pages whose signals the bench passes along (`__signal` out, `__recv` in).
 */

/** Resolves with the time from the click to the remote video's first frame, in ms. */
export const PARLEY_CALLER = `(async () => {
  const q = (id) => document.querySelector('[data-testid="' + id + '"]')
  const t0 = performance.now()
  q('call-audio-video').click()
  let video
  while (!(video = q('call-remote-video')) || !video.srcObject) await new Promise((r) => setTimeout(r, 2))
  await firstFrame(video)
  return performance.now() - t0
})()`

const FIRST_FRAME = `
window.firstFrame = (video) => new Promise((resolve) => {
  if ('requestVideoFrameCallback' in video) video.requestVideoFrameCallback(() => resolve())
  const poll = () => (video.videoWidth > 0 && video.readyState >= 2 ? resolve() : setTimeout(poll, 2))
  poll()
})`

export const PARLEY_SETUP = `${FIRST_FRAME}
new MutationObserver(() => document.querySelector('[data-testid="call-accept"]')?.click())
  .observe(document.body, { childList: true, subtree: true })`

export const RAW = `${FIRST_FRAME}
let pc
let pending = []
const media = () => navigator.mediaDevices.getUserMedia({ audio: true, video: true })
function connect() {
  pc?.close()
  pending = []
  pc = new RTCPeerConnection({ iceServers: [] })
  pc.onicecandidate = (e) => e.candidate && window.__signal({ candidate: e.candidate.toJSON() })
  const video = document.createElement('video')
  video.autoplay = true
  video.muted = true
  document.body.replaceChildren(video)
  pc.ontrack = (e) => { if (!video.srcObject) video.srcObject = e.streams[0] }
  return { pc, video }
}
window.__recv = async (m) => {
  if (m.sdp) {
    if (m.sdp.type === 'offer') {
      const { pc } = connect()
      const s = await media()
      for (const t of s.getTracks()) pc.addTrack(t, s)
      await pc.setRemoteDescription(m.sdp)
      for (const c of pending.splice(0)) await pc.addIceCandidate(c)
      await pc.setLocalDescription()
      window.__signal({ sdp: pc.localDescription.toJSON() })
    } else {
      await pc.setRemoteDescription(m.sdp)
      for (const c of pending.splice(0)) await pc.addIceCandidate(c)
    }
  } else if (m.candidate) {
    if (pc?.remoteDescription) await pc.addIceCandidate(m.candidate)
    else pending.push(m.candidate)
  }
}
window.rawCall = async () => {
  const t0 = performance.now()
  const s = await media()
  const { pc, video } = connect()
  for (const t of s.getTracks()) pc.addTrack(t, s)
  await pc.setLocalDescription()
  window.__signal({ sdp: pc.localDescription.toJSON() })
  while (!video.srcObject) await new Promise((r) => setTimeout(r, 2))
  await firstFrame(video)
  return performance.now() - t0
}
window.rawHangup = () => { pc?.getSenders().forEach((x) => x.track?.stop()); pc?.close(); pc = undefined }`
