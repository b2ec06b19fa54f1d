/** `pgha lab`: the implementation lives in source/lab/ (command.ts is its entry). */
export {run} from '../lab/command.ts';
