// web/admin/script-model.js  A call script (src/core/scripts.c has the
// format) as the editor holds it, and back.  No component here.
//
// The editor's form: {name, queues: [ID], start, steps: [{key, id, text,
// kind: "answers"|"input", answers: [{key, label, next}], input:
// "text"|"number", next}]}, where next "" is the end (null on the wire)
// and key is a local id for preact's lists (steps move and get renamed).

let keys = 0;
export const newKey = () => `k${++keys}`;

export function fromServer(j) {
  const steps = (j.steps || []).map((s) => ({
    key: newKey(),
    id: s.id || '',
    text: s.text || '',
    kind: typeof s.input === 'string' ? 'input' : 'answers',
    answers: (s.answers || []).map((a) => ({
      key: newKey(), label: a.label || '', next: a.next || '',
    })),
    input: typeof s.input === 'string' ? s.input : 'text',
    next: s.next || '',
  }));
  return {
    name: j.name || '',
    queues: Array.isArray(j.queues) ? j.queues.slice() : [],
    start: j.start || (steps[0] ? steps[0].id : ''),
    steps,
  };
}

export function toServer(doc) {
  return {
    name: doc.name,
    queues: doc.queues,
    start: doc.start || null,
    steps: doc.steps.map((s) => (s.kind === 'input'
      ? { id: s.id, text: s.text, input: s.input, next: s.next || null }
      : {
        id: s.id,
        text: s.text,
        answers: s.answers.map((a) => ({ label: a.label, next: a.next || null })),
      })),
  };
}

export function blankStep(doc) {
  let n = doc.steps.length + 1;
  while (doc.steps.some((s) => s.id === `step${n}`)) n++;
  return {
    key: newKey(), id: `step${n}`, text: '', kind: 'answers',
    answers: [], input: 'text', next: '',
  };
}

export const blankScript = () => {
  const doc = { name: '', queues: [], start: '', steps: [] };
  doc.steps.push({ ...blankStep(doc), id: 'start' });
  doc.start = 'start';
  return doc;
};

// Rename a step, and every reference to it (start, next of steps and
// answers), unless the old id is another step's too.
export function renameStep(doc, index, id) {
  const old = doc.steps[index].id;
  const shared = doc.steps.filter((s) => s.id === old).length > 1;
  const ref = (v) => (!shared && v === old ? id : v);
  return {
    ...doc,
    start: ref(doc.start),
    steps: doc.steps.map((s, i) => ({
      ...s,
      id: i === index ? id : s.id,
      next: ref(s.next),
      answers: s.answers.map((a) => ({ ...a, next: ref(a.next) })),
    })),
  };
}

// Move item i of a list by d (-1 up, +1 down), a new list.
export function move(list, i, d) {
  const j = i + d;
  if (j < 0 || j >= list.length) return list;
  const out = list.slice();
  [out[i], out[j]] = [out[j], out[i]];
  return out;
}
