<#import "template.ftl" as layout>
<#-- The activation's step-up: asks again for what this sign-in did not check itself (an existing
     session is not enough for emergency access). Never offers to set up a factor. -->
<@layout.registrationLayout displayMessage=!messagesPerField.existsError('password','otp'); section>
<#if section = "header">
    ${msg("breakGlassStepUpTitle")}
<#elseif section = "form">
    <link rel="stylesheet" href="${url.resourcesPath}/css/break-glass.css"/>
    <p id="bg-stepup-intro">${msg("breakGlassStepUpIntro")}</p>
    <form id="bg-stepup-form" class="${properties.kcFormClass!}" action="${url.loginAction}" method="post" autocomplete="off">
        <input type="hidden" name="breakGlassStage" value="${breakGlassStepUp.stage}"/>
        <#if breakGlassStepUp.askPassword>
            <div class="${properties.kcFormGroupClass!}">
                <label for="password" class="${properties.kcLabelClass!}">${msg("password")}</label>
                <input id="password" name="password" type="password" class="${properties.kcInputClass!}" autofocus
                       autocomplete="current-password" maxlength="1024"
                       aria-invalid="<#if messagesPerField.existsError('password')>true<#else>false</#if>"/>
                <#if messagesPerField.existsError('password')>
                    <span id="input-error-password" class="${properties.kcInputErrorMessageClass!}" aria-live="polite">${kcSanitize(messagesPerField.get('password'))?no_esc}</span>
                </#if>
            </div>
        </#if>
        <#if breakGlassStepUp.askOtp>
            <div class="${properties.kcFormGroupClass!}">
                <label for="otp" class="${properties.kcLabelClass!}">${msg("breakGlassStepUpOtpLabel")}</label>
                <input id="otp" name="otp" type="text" inputmode="numeric" class="${properties.kcInputClass!}"
                       autocomplete="one-time-code" maxlength="10" <#if !breakGlassStepUp.askPassword>autofocus</#if>
                       aria-invalid="<#if messagesPerField.existsError('otp')>true<#else>false</#if>"/>
                <#if messagesPerField.existsError('otp')>
                    <span id="input-error-otp" class="${properties.kcInputErrorMessageClass!}" aria-live="polite">${kcSanitize(messagesPerField.get('otp'))?no_esc}</span>
                </#if>
            </div>
        </#if>
        <p id="bg-stepup-attempts">${msg("breakGlassStepUpAttemptsLeft", breakGlassStepUp.attemptsLeft)}</p>
        <div class="${properties.kcFormGroupClass!}">
            <input id="bg-stepup-submit" type="submit" class="${properties.kcButtonClass!} ${properties.kcButtonPrimaryClass!} ${properties.kcButtonBlockClass!}"
                   value="${msg("breakGlassStepUpSubmit")}"/>
        </div>
    </form>
</#if>
</@layout.registrationLayout>
