import { defaultMainDependencies, run } from './main';

// The preview action's main step (preview/action.yml): deploy, down or sweep.
void run(defaultMainDependencies(), 'preview');
