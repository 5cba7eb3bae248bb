// Translation keys are checked by the compiler: an unknown key is a type error.
import "i18next";
import type en from "./en.json";
import type enCampaigns from "./en/campaigns.json";
import type enLearning from "./en/learning.json";
import type enPeople from "./en/people.json";
import type enProgrammes from "./en/programmes.json";
import type enSetup from "./en/setup.json";

declare module "i18next" {
  interface CustomTypeOptions {
    defaultNS: "translation";
    resources: {
      translation: typeof en;
      campaigns: typeof enCampaigns;
      /** Loaded lazily (learning.ts), not in `resources`. */
      learning: typeof enLearning;
      people: typeof enPeople;
      /** Loaded lazily (programmes.ts), not in `resources`. */
      programmes: typeof enProgrammes;
      setup: typeof enSetup;
    };
  }
}
