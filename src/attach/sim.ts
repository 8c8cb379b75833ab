import { Admission } from './admission.js'
import type { Attacher } from './attacher.js'
import type { HostHint } from './host-cache.js'

/**
 * A simulated attachment network in virtual time: supernodes running the real
 * Admission, devices running the real Attacher, dials answered after a fixed
 * latency. No sockets, no clock. Used by the storm tests; the network
 * simulator can grow from it.
 */
export interface SimHostInit {
  peerId: string
  capacity: number
  mega?: boolean
  /** Devices of the rest of the world already attached (they never leave). */
  preload?: number
}

export interface SimOptions {
  /** Dial + Noise + Yamux + the attach request, ms. Default 50 (measured 30–70 on loopback). */
  dialLatencyMs?: number
  /** What a dial to a dead supernode gets: nothing (a crashed or frozen host: the device times out) or a reset. */
  deadHosts?: 'silent' | 'reset'
}

export interface SimDial {
  at: number
  device: string
  host: string
  /** The host was up when dialled. */
  alive: boolean
}

export interface SimHost {
  readonly peerId: string
  readonly mega: boolean
  admission: Admission
  alive: boolean
}

export interface SimDevice {
  readonly id: string
  readonly attacher: Attacher
  /** Pending wake-up time, to drop superseded entries from the queue. */
  wake: number | undefined
}

interface SimEvent {
  at: number
  seq: number
  run: () => void
}

export class AttachSim {
  now: number
  readonly hosts = new Map<string, SimHost>()
  readonly devices: SimDevice[] = []
  readonly dials: SimDial[] = []
  /** Busy answers given, with when. */
  readonly busyAnswers: number[] = []
  private readonly queue: SimEvent[] = []
  private seq = 0
  private readonly latency: number
  private readonly deadHosts: 'silent' | 'reset'

  constructor(now: number, opts: SimOptions = {}) {
    this.now = now
    this.latency = opts.dialLatencyMs ?? 50
    this.deadHosts = opts.deadHosts ?? 'silent'
  }

  addHost(init: SimHostInit): SimHost {
    const admission = new Admission({ capacity: init.capacity, self: init.peerId })
    for (let i = 0; i < (init.preload ?? 0); i++) admission.admit(`world-${i}`, [])
    const host: SimHost = { peerId: init.peerId, mega: init.mega ?? false, admission, alive: true }
    this.hosts.set(init.peerId, host)
    return host
  }

  /** What the rest of the network knows of a host now (its announcement). */
  hint(peerId: string): HostHint {
    const host = this.hosts.get(peerId)
    if (host === undefined) throw new Error(`no host ${peerId}`)
    const { admission, mega } = host
    return {
      peerId,
      addrs: [`/ip4/10.0.0.1/tcp/4001/p2p/${peerId}`],
      load: admission.load,
      capacity: admission.capacity,
      mega,
    }
  }

  addDevice(id: string, attacher: Attacher): SimDevice {
    const device: SimDevice = { id, attacher, wake: undefined }
    this.devices.push(device)
    this.touch(device)
    return device
  }

  /** The host dies now: every device attached to it notices. */
  kill(peerId: string): void {
    const host = this.hosts.get(peerId)
    if (host === undefined) return
    host.alive = false
    for (const device of this.devices) {
      if (!host.admission.has(device.id)) continue
      device.attacher.onLost(peerId, this.now)
      this.touch(device)
    }
    host.admission = new Admission({ capacity: host.admission.capacity, self: peerId })
  }

  runUntil(end: number): void {
    for (;;) {
      const event = this.queue[0]
      if (event === undefined || event.at > end) break
      this.pop()
      this.now = Math.max(this.now, event.at)
      event.run()
    }
    this.now = Math.max(this.now, end)
  }

  /** Drains the device's actions and books its next wake-up. */
  touch(device: SimDevice): void {
    for (
      let action = device.attacher.pollAction();
      action !== undefined;
      action = device.attacher.pollAction()
    ) {
      if (action.type === 'detach') this.hosts.get(action.peerId)?.admission.release(device.id)
      else this.dial(device, action.peerId)
    }
    const wake = device.attacher.pollTimeout()
    if (wake === undefined || wake === device.wake) return
    device.wake = wake
    this.schedule(Math.max(wake, this.now), () => {
      if (device.wake !== wake) return // superseded
      device.wake = undefined
      device.attacher.handleTimeout(this.now)
      this.touch(device)
    })
  }

  private dial(device: SimDevice, peerId: string): void {
    const host = this.hosts.get(peerId)
    this.dials.push({ at: this.now, device: device.id, host: peerId, alive: host?.alive ?? false })
    this.schedule(this.now + this.latency, () => {
      if (host === undefined || !host.alive) {
        if (this.deadHosts === 'silent') return
        device.attacher.onFailed(peerId, this.now)
      } else {
        const others = [...this.hosts.values()]
          .filter((h) => h.alive && h !== host)
          .map((h) => this.hint(h.peerId))
        const verdict = host.admission.admit(device.id, others)
        if (verdict.ok) device.attacher.onAttached(peerId, this.now)
        else {
          this.busyAnswers.push(this.now)
          device.attacher.onBusy(peerId, verdict.hints, this.now)
        }
      }
      this.touch(device)
    })
  }

  private schedule(at: number, run: () => void): void {
    const q = this.queue
    q.push({ at, seq: this.seq++, run })
    for (let i = q.length - 1; i > 0;) {
      const parent = (i - 1) >> 1
      if (!earlier(q[i]!, q[parent]!)) break
      ;[q[i], q[parent]] = [q[parent]!, q[i]!]
      i = parent
    }
  }

  private pop(): void {
    const q = this.queue
    const last = q.pop()
    if (last === undefined || q.length === 0) return
    q[0] = last
    for (let i = 0; ;) {
      const l = 2 * i + 1
      const r = l + 1
      let m = i
      if (l < q.length && earlier(q[l]!, q[m]!)) m = l
      if (r < q.length && earlier(q[r]!, q[m]!)) m = r
      if (m === i) break
      ;[q[i], q[m]] = [q[m]!, q[i]!]
      i = m
    }
  }
}

/** Time order, then booking order, so runs are reproducible. */
function earlier(a: SimEvent, b: SimEvent): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq)
}
