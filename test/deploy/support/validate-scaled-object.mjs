// Validates ScaledObjects (JSON array on stdin) with @kubernetes-models/keda, which ships as ES modules
// only (no `require` export), so the CommonJS tests run it as a program: prints one line per object,
// "ok" or the schema error.
import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1';

let input = '';
for await (const chunk of process.stdin) input += chunk;
for (const object of JSON.parse(input)) {
  try {
    new ScaledObject(object).validate();
    console.log('ok');
  } catch (error) {
    console.log(String(error.message).replace(/\n/g, ' '));
  }
}
