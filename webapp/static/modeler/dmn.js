// The DMN editor: dmn-js, opened on the first decision table (the DRD and other views stay reachable).
import DmnModeler from 'dmn-js/lib/Modeler';

import { setUp } from './page.js';

const modeler = new DmnModeler({ container: '#canvas' });

setUp({
  async open(xml) {
    await modeler.importXML(xml);
    const table = modeler.getViews().find((view) => view.type === 'decisionTable');
    if (table) await modeler.open(table);
  },
  async xml() {
    const { xml } = await modeler.saveXML({ format: true });
    return xml;
  },
  clearProblems() {},
  markProblem() {},
  select() {}
});

window.kinerjaModeler = modeler;
