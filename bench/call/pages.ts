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
  window.__marks?.push(['click', performance.timeOrigin + t0])
  q('call-audio-video').click()
  let video
  while (!(video = q('call-remote-video')) || !video.srcObject) await new Promise((r) => setTimeout(r, 2))
  await firstFrame(video)
  window.__marks?.push(['first frame', performance.timeOrigin + performance.now()])
  return performance.now() - t0
})()`

const FIRST_FRAME = `
window.firstFrame = (video) => new Promise((resolve) => {
  if ('requestVideoFrameCallback' in video) video.requestVideoFrameCallback(() => resolve())
  const poll = () => (video.videoWidth > 0 && video.readyState >= 2 ? resolve() : setTimeout(poll, 2))
  poll()
})`

export const PARLEY_SETUP = `${FIRST_FRAME}
new MutationObserver(() => {
  const accept = document.querySelector('[data-testid="call-accept"]')
  if (accept === null) return
  window.__marks?.push(['accept shown', performance.timeOrigin + performance.now()])
  accept.click()
})
  .observe(document.body, { childList: true, subtree: true })`

export const RAW = `${FIRST_FRAME}
const mark = (what) => performance.mark('parley:' + what)
let pc
let pending = []
const media = () => navigator.mediaDevices.getUserMedia({ audio: true, video: true })
function connect() {
  pc?.close()
  pending = []
  pc = new RTCPeerConnection({ iceServers: [] })
  pc.oniceconnectionstatechange = () => mark('ice ' + pc.iceConnectionState)
  pc.onconnectionstatechange = () => mark('connection ' + pc.connectionState)
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
      mark('offer heard')
      const { pc } = connect()
      const s = await media()
      mark('media')
      for (const t of s.getTracks()) pc.addTrack(t, s)
      await pc.setRemoteDescription(m.sdp)
      mark('offer set')
      for (const c of pending.splice(0)) await pc.addIceCandidate(c)
      await pc.setLocalDescription()
      mark('answer')
      window.__signal({ sdp: pc.localDescription.toJSON() })
    } else {
      mark('answer heard')
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
  mark('click')
  const s = await media()
  mark('media')
  const { pc, video } = connect()
  for (const t of s.getTracks()) pc.addTrack(t, s)
  await pc.setLocalDescription()
  mark('offer')
  window.__signal({ sdp: pc.localDescription.toJSON() })
  while (!video.srcObject) await new Promise((r) => setTimeout(r, 2))
  await firstFrame(video)
  mark('first frame')
  return performance.now() - t0
}
window.rawHangup = () => { pc?.getSenders().forEach((x) => x.track?.stop()); pc?.close(); pc = undefined }`

/**
 * Installed before the web client loads: marks, on the shared wall clock
 * (performance.timeOrigin + now), when each call signal request leaves and
 * comes back and when each call signal arrives over the live socket, so the
 * bench can say where a call's setup time goes.
 */
export const MARKS = `(() => {
  const marks = (window.__marks = [])
  const at = () => performance.timeOrigin + performance.now()
  const types = (payload) => {
    try {
      const s = JSON.parse(payload)
      return [...new Set((Array.isArray(s) ? s : [s]).map((x) => x.type))].join('+')
    } catch { return '?' }
  }
  const fetch0 = window.fetch.bind(window)
  window.fetch = async (input, init) => {
    const url = String(input && input.url ? input.url : input)
    if (!url.includes('/v1/call/signal/')) return fetch0(input, init)
    const t = types(JSON.parse(init.body).payload)
    marks.push(['send ' + t, at()])
    const t0 = at()
    const res = await fetch0(input, init)
    const t1 = at()
    marks.push(['sent ' + t, t1])
    // The device's own time for it (Server-Timing), placed where it would end if it began at once.
    const dur = /push;dur=([0-9.]+)/.exec(res.headers.get('server-timing') ?? '')?.[1]
    if (dur !== undefined) marks.push(['device pushed ' + t + ' (send + its Server-Timing)', t0 + Number(dur)])
    return res
  }
  new PerformanceObserver((list) => {
    for (const e of list.getEntries())
      if (e.name.startsWith('parley:')) marks.push([e.name.slice(7), performance.timeOrigin + e.startTime])
  }).observe({ type: 'mark' })
  const WS = window.WebSocket
  window.WebSocket = class extends WS {
    constructor(...args) {
      super(...args)
      this.addEventListener('message', (e) => {
        if (typeof e.data !== 'string' || !e.data.includes('"call-signal"')) return
        try { marks.push(['recv ' + types(JSON.parse(e.data).payload), at()]) } catch {}
      })
    }
  }
})()`
