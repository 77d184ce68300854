import { UsageError } from '../../model/index.js';
import type { Importer } from '../import-types.js';

export const importPlaywrightJson: Importer = async (file) => {
  throw new UsageError(`${file}: Playwright JSON import is not available in this build`);
};
