// The action keeps records beside a project in volumes of its own (a stack's lifetime, a preview's
// deploy record). They carry the project's label, so removing the project by label removes them,
// but they are never among the volumes the user's files declare: teardown tells them apart by name.

export const lifetimeRecordName = (project: string): string => `${project}_ephemeral-compose-lifetime`;

export const deployRecordName = (project: string): string => `${project}_ephemeral-compose-record`;

export const isRecordVolume = (project: string, name: string): boolean => name === lifetimeRecordName(project) || name === deployRecordName(project);
