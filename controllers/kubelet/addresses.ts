/**
 * @module controllers/kubelet/addresses
 * Layer: controllers. Node and pod addressing for the simulated network: each node takes a slot, which gives
 * its InternalIP (172.18.0.0/16 onwards) and its pod CIDR (a /24 out of 10.64.0.0/10, room for 16,384
 * nodes); pod IPs come from the node's /24 and are never handed out twice while a pod holds one.
 */

const MAX_SLOTS = 16_384;

export function nodeIp(slot: number): string {
  const n = slot + 2; // 172.18.0.2 first, as container runtimes number their networks
  return `172.${18 + Math.floor(n / 65_536)}.${Math.floor(n / 256) % 256}.${n % 256}`;
}

export function podCidr(slot: number): string {
  return `10.${64 + Math.floor(slot / 256)}.${slot % 256}.0/24`;
}

/** The slot a pod CIDR of ours belongs to, or undefined for a CIDR kubemu did not allocate. */
export function slotOfCidr(cidr: string | undefined): number | undefined {
  const match = /^10\.(\d+)\.(\d+)\.0\/24$/.exec(cidr ?? '');
  if (!match) return undefined;
  const slot = (Number(match[1]) - 64) * 256 + Number(match[2]);
  return slot >= 0 && slot < MAX_SLOTS ? slot : undefined;
}

/** Hands out node slots: the lowest free one, after those already taken are claimed. */
export class SlotAllocator {
  private readonly taken = new Set<number>();
  private next = 0;

  claim(slot: number): void {
    this.taken.add(slot);
  }

  release(slot: number): void {
    this.taken.delete(slot);
    if (slot < this.next) this.next = slot;
  }

  allocate(): number {
    while (this.taken.has(this.next)) this.next++;
    if (this.next >= MAX_SLOTS) throw new Error(`no node slots left: kubemu simulates at most ${MAX_SLOTS} nodes`);
    this.taken.add(this.next);
    return this.next;
  }
}

/** Pod IPs of one node's /24: .1 is the gateway, pods get .2 to .254. */
export class PodIpPool {
  private readonly used = new Set<number>();
  private cursor = 2;

  constructor(private readonly cidr: string) {}

  private get base(): string {
    return this.cidr.slice(0, this.cidr.lastIndexOf('.'));
  }

  /** Record an IP already held by a pod (after a restart). */
  claim(ip: string): void {
    if (ip.startsWith(`${this.base}.`)) this.used.add(Number(ip.slice(this.base.length + 1)));
  }

  release(ip: string): void {
    if (ip.startsWith(`${this.base}.`)) this.used.delete(Number(ip.slice(this.base.length + 1)));
  }

  allocate(): string | undefined {
    for (let tries = 0; tries < 253; tries++) {
      const host = this.cursor;
      this.cursor = this.cursor >= 254 ? 2 : this.cursor + 1;
      if (!this.used.has(host)) {
        this.used.add(host);
        return `${this.base}.${host}`;
      }
    }
    return undefined;
  }
}
