/**
 * @module server/registry/admission/chain
 * Layer: registry (admission). Runs the admission plugins in order: every mutating `admit`, later every
 * `validate`. What validating plugins hold for a write comes back as one release; if a plugin refuses, what
 * the earlier ones held is released at once.
 */
import type { AdmissionPlugin, AdmissionReader, AdmissionRelease, AdmissionRequest } from './types.js';

export class AdmissionChain {
  constructor(
    private readonly plugins: readonly AdmissionPlugin[],
    private readonly reader: AdmissionReader,
  ) {}

  admit(request: AdmissionRequest): void {
    for (const plugin of this.plugins) plugin.admit?.(request, this.reader);
  }

  validate(request: AdmissionRequest): AdmissionRelease {
    const releases: AdmissionRelease[] = [];
    const releaseAll = () => {
      for (const release of releases) release();
    };
    try {
      for (const plugin of this.plugins) {
        const release = plugin.validate?.(request, this.reader);
        if (release) releases.push(release);
      }
    } catch (error) {
      releaseAll();
      throw error;
    }
    return releaseAll;
  }
}
