import { UsageError } from '../../model/index.js';
import type { Importer } from '../import-types.js';

export const importK6Summary: Importer = async (file) => {
  throw new UsageError(`${file}: k6 summary import is not available in this build`);
};

export const importK6Json: Importer = async (file) => {
  throw new UsageError(`${file}: k6 JSON import is not available in this build`);
};
