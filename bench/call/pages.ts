/**
 * The scripts the call benchmark runs in its pages (plain JavaScript, loaded
 * as strings: the bench is compiled without the DOM's types).
 *
 * PARLEY_CALLER: in alice's web client, click Call and wait for the first
 * remote video frame; PARLEY_ANSWERER: in bob's, press Accept as soon as it
 * shows (a user who answers at once). RAW: a bare WebRTC call between two
 * plain pages whose signals the bench passes along (`__signal` out, `__recv` in),
 * with the RTCConfiguration the bench sets as `window.rawConfig` (by default
 * the ICE servers Parley's pages use: the same TURN server).
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
  pc = new RTCPeerConnection(window.rawConfig ?? { iceServers: [] })
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
 * (performance.timeOrigin + now), when each call signal leaves the page (a
 * socket frame, or an HTTP request with an older client) and when the
 * device's answer comes back, where the device's own time went (the stages
 * it reports: signed, first device took it, lookups answered, every device
 * took it, placed as if it began at once), and when each call signal arrives
 * over the live socket, so the bench can say where a call's setup time goes.
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
  const STAGES = { signed: 'signed', firstTook: 'first device took', looked: 'looked up', done: 'all took' }
  const deviceMarks = (t, t0, timing) => {
    for (const [name, dur] of Object.entries(timing))
      if (STAGES[name] && typeof dur === 'number') marks.push(['device ' + STAGES[name] + ' ' + t, t0 + dur])
  }
  const HEADER = { sign: 'signed', first: 'firstTook', lookup: 'looked', push: 'done' }
  const fetch0 = window.fetch.bind(window)
  window.fetch = async (input, init) => {
    const url = String(input && input.url ? input.url : input)
    if (!url.includes('/v1/call/signal/')) return fetch0(input, init)
    const t = types(JSON.parse(init.body).payload)
    marks.push(['send ' + t, at()])
    const t0 = at()
    const res = await fetch0(input, init)
    marks.push(['sent ' + t, at()])
    const timing = {}
    for (const [, name, dur] of (res.headers.get('server-timing') ?? '').matchAll(/([a-z]+);dur=([0-9.]+)/g))
      if (HEADER[name]) timing[HEADER[name]] = Number(dur)
    deviceMarks(t, t0, timing)
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
      const out = new Map()
      this.addEventListener('message', (e) => {
        if (typeof e.data !== 'string' || !e.data.includes('"call-signal')) return
        try {
          const n = JSON.parse(e.data)
          if (n.type === 'call-signal') marks.push(['recv ' + types(n.payload), at()])
          const sent = out.get(n.id)
          if (n.type !== 'call-signal-sent' || sent === undefined) return
          out.delete(n.id)
          marks.push(['sent ' + sent.t, at()])
          deviceMarks(sent.t, sent.t0, n.timing ?? {})
        } catch {}
      })
      const send0 = this.send.bind(this)
      this.send = (data) => {
        try {
          const f = typeof data === 'string' && data.startsWith('{"type":"call-signal"') ? JSON.parse(data) : undefined
          if (f !== undefined) {
            const t = types(f.payload)
            marks.push(['send ' + t, at()])
            out.set(f.id, { t, t0: at() })
          }
        } catch {}
        return send0(data)
      }
    }
  }
})()`
