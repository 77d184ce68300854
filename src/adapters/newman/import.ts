import { UsageError } from '../../model/index.js';
import type { Importer } from '../import-types.js';

export const importNewmanJson: Importer = async (file) => {
  throw new UsageError(`${file}: Newman JSON import is not available in this build`);
};
