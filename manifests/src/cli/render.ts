import { render } from '../render';
import { toYaml } from '../yaml-io';

/**
 * Prints an overlay as kubectl kustomize would (for the subset the manifests use):
 *   npm run render -w @vault-raft-backup/manifests -- backup/overlays/yandex
 */
const dir = process.argv[2];
if (!dir) {
  process.stderr.write('usage: render <kustomization folder>\n');
  process.exitCode = 2;
} else {
  process.stdout.write(toYaml(render(dir)));
}
