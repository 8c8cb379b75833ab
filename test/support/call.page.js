// Loaded into a page served by a device node (test/calls.test.ts): a bare
// WebRTC call whose signals travel over Parley through the node's local API,
// with media forced through the TURN relay the node's supernode vouches for.
window.parleyPrepare = async (peerUser) => {
  // The page's session, as the web client keeps it (web/src/session.ts): sent by the page itself.
  const { token } = JSON.parse(localStorage.getItem('parley.session'))
  const auth = { authorization: `Bearer ${token}` }
  const ice = await (await fetch('/v1/call/ice-servers', { headers: auth })).json()
  const pc = new RTCPeerConnection({ iceServers: ice.iceServers, iceTransportPolicy: 'relay' })
  const signal = (payload) =>
    fetch(`/v1/call/signal/${peerUser}`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ payload: JSON.stringify(payload) }),
    })
  pc.onicecandidate = (e) => {
    if (e.candidate !== null) void signal({ candidate: e.candidate.toJSON() })
  }
  const ws = new WebSocket(`ws://${location.host}/v1/ws`, ['parley', `parley-token.${token}`])
  await new Promise((resolve) => ws.addEventListener('open', resolve, { once: true }))
  ws.addEventListener('message', (m) => {
    const n = JSON.parse(m.data)
    if (n.type !== 'call-signal' || n.username !== peerUser) return
    const s = JSON.parse(n.payload)
    void (async () => {
      if (s.sdp !== undefined) {
        await pc.setRemoteDescription(s.sdp)
        if (s.sdp.type === 'offer') {
          await pc.setLocalDescription(await pc.createAnswer())
          await signal({ sdp: pc.localDescription })
        }
      } else if (s.candidate !== undefined) await pc.addIceCandidate(s.candidate)
    })()
  })
  const media = await navigator.mediaDevices.getUserMedia({ audio: true, video: true })
  for (const track of media.getTracks()) pc.addTrack(track, media)
  window.parleyCall = async () => {
    await pc.setLocalDescription(await pc.createOffer())
    await signal({ sdp: pc.localDescription })
  }
  window.parleyInbound = async () => {
    const out = {}
    const stats = await pc.getStats()
    let selected
    let succeeded
    stats.forEach((r) => {
      if (r.type === 'inbound-rtp' && r.kind !== undefined)
        out[r.kind] = { bytes: r.bytesReceived ?? 0, frames: r.framesDecoded ?? r.totalSamplesReceived ?? 0 }
      // The pair in use: the transport names it (a pair's "nominated" flag lags on the controlled side).
      if (r.type === 'transport' && r.selectedCandidatePairId !== undefined)
        selected = r.selectedCandidatePairId
      if (r.type === 'candidate-pair' && r.state === 'succeeded') succeeded ??= r
    })
    const pair = selected !== undefined ? stats.get(selected) : succeeded
    const local = pair === undefined ? undefined : stats.get(pair.localCandidateId)
    return { media: out, via: local?.candidateType ?? 'none', state: pc.connectionState }
  }
}
