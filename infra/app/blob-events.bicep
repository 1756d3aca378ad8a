// Event Grid system topic on the feedback storage account. The blob trigger (source: EventGrid)
// needs one webhook subscription per watched container, pointing at the host's blobs_extension
// endpoint with its system key. That key exists only once the code is deployed, so the
// subscriptions are created by the postdeploy hook (infra/hooks/postdeploy.sh), not here.
param name string
param location string = resourceGroup().location
param tags object = {}
param storageAccountName string

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource systemTopic 'Microsoft.EventGrid/systemTopics@2022-06-15' = {
  name: name
  location: location
  tags: tags
  properties: {
    source: storage.id
    topicType: 'Microsoft.Storage.StorageAccounts'
  }
}

output id string = systemTopic.id
output name string = systemTopic.name
