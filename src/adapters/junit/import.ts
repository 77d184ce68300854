import { UsageError } from '../../model/index.js';
import type { Importer } from '../import-types.js';

export const importJunit: Importer = async (file) => {
  throw new UsageError(`${file}: JUnit XML import is not available in this build`);
};
