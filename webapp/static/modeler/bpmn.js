// The BPMN editor: bpmn-js Modeler with the properties panel and its Camunda Platform provider, so
// form fields, people, due dates, timers, messages and decision references are edited in the panel.
import BpmnModeler from 'bpmn-js/lib/Modeler';
import {
  BpmnPropertiesPanelModule,
  BpmnPropertiesProviderModule,
  CamundaPlatformPropertiesProviderModule
} from 'bpmn-js-properties-panel';
import CamundaBehaviorsModule from 'camunda-bpmn-js-behaviors/lib/camunda-platform';
import camundaModdle from 'camunda-bpmn-moddle/resources/camunda.json';

import { overlayText, setUp } from './page.js';

const modeler = new BpmnModeler({
  container: '#canvas',
  propertiesPanel: { parent: '#properties' },
  additionalModules: [
    BpmnPropertiesPanelModule,
    BpmnPropertiesProviderModule,
    CamundaPlatformPropertiesProviderModule,
    CamundaBehaviorsModule
  ],
  moddleExtensions: { camunda: camundaModdle }
});
let marked = [];

setUp({
  async open(xml) {
    await modeler.importXML(xml);
    modeler.get('canvas').zoom('fit-viewport');
  },
  async xml() {
    const { xml } = await modeler.saveXML({ format: true });
    return xml;
  },
  clearProblems() {
    const canvas = modeler.get('canvas');
    marked.forEach((id) => canvas.removeMarker(id, 'kinerja-problem'));
    modeler.get('overlays').remove({ type: 'kinerja-problem' });
    marked = [];
  },
  markProblem(id, message) {
    const element = id && modeler.get('elementRegistry').get(id);
    if (!element) return;
    modeler.get('canvas').addMarker(id, 'kinerja-problem');
    modeler.get('overlays').add(id, 'kinerja-problem', {
      position: { bottom: 0, left: 0 },
      html: overlayText(message)
    });
    marked.push(id);
  },
  select(id) {
    const element = id && modeler.get('elementRegistry').get(id);
    if (element) modeler.get('selection').select(element);
  }
});

window.kinerjaModeler = modeler; // for people poking at it in the browser console
